"""`clinicdesk portal-demo` is a command, and it never builds over a folder that already holds something."""

from clinicdesk.cli import main


def test_portal_demo_refuses_a_folder_that_is_not_empty_and_changes_nothing(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["portal-demo", "--data-dir", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_portal_demo_is_listed_with_its_options(capsys):
    try:
        main(["portal-demo", "--help"])
    except SystemExit as stop:
        assert stop.code == 0
    shown = capsys.readouterr().out
    assert "--data-dir" in shown and "--port" in shown and "--host" in shown


def test_portal_demo_refuses_a_port_in_use_before_building_anything(tmp_path, capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["portal-demo", "--data-dir", str(tmp_path / "demo"), "--port", str(port)]) == 2
    assert f"port {port} is already in use" in capsys.readouterr().err
    assert not (tmp_path / "demo").exists()
