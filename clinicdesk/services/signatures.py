"""What a drawn signature (a PNG from the tablet's signature pad) must be before it is sealed and stored."""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


def signature_problem(signature_png: bytes | None) -> str | None:
    """The reason a signature is refused, in the words the form shows; None when it is fine."""
    if not signature_png:
        return "is missing: ask the patient to sign in the box"
    if not signature_png.startswith(PNG_MAGIC):
        return "must be a PNG image"
    if len(signature_png) > MAX_SIGNATURE_BYTES:
        return "is larger than 2 MB"
    return None
