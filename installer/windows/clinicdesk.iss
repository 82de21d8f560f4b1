; Inno Setup 6 script: installs the PyInstaller folder dist\ClinicDesk (installer\clinicdesk.spec) for one user,
; with a Start-menu entry and an uninstaller. Built by installer\windows\build-windows.ps1, which passes
; /DAppVersion and /DSourceDir. Keep the executable names in step with clinicdesk.spec: ClinicDesk.exe (windowed,
; the shortcut) and clinicdesk-cli.exe (console, for the CLI sub-commands).
;
; Clinic data is never in the install folder: it lives in %LOCALAPPDATA%\ClinicDesk\ClinicDesk (platformdirs'
; per-user data folder), with the Whisper base model assembled once in the per-user cache. Uninstalling leaves the
; data in place unless the person ticks the box to remove it (and confirms).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ClinicDesk"
#endif

[Setup]
AppId={{6D4C1E0B-7A52-4C1B-9B0E-1C5D7E3A9F21}
AppName=ClinicDesk
AppVersion={#AppVersion}
AppPublisher=ClinicDesk
DefaultDirName={localappdata}\Programs\ClinicDesk
DefaultGroupName=ClinicDesk
; Per-user install: no administrator needed on a clinic PC; an administrator may still choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=ClinicDesk-Setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\ClinicDesk.exe
InfoBeforeFile=microphone.txt
; An upgrade installs over the old folder; the app backs the database up and migrates it on its next start.
CloseApplications=yes
UsePreviousAppDir=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "Create a &desktop shortcut"; GroupDescription: "Shortcuts:"

[InstallDelete]
; A previous version's files (old libraries, removed modules) must not mix with the new bundle.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\ClinicDesk"; Filename: "{app}\ClinicDesk.exe"; Comment: "Run your clinic (works offline)"
Name: "{group}\Uninstall ClinicDesk"; Filename: "{uninstallexe}"
Name: "{autodesktop}\ClinicDesk"; Filename: "{app}\ClinicDesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\ClinicDesk.exe"; Description: "Start ClinicDesk now"; Flags: nowait postinstall skipifsilent

[Code]
var
  RemoveData: Boolean;

function InitializeUninstall(): Boolean;
begin
  // Patient records are kept unless the person asks, twice: an uninstall (or reinstall) must not lose a clinic.
  RemoveData := False;
  if not UninstallSilent() then
    if MsgBox('Also delete this computer''s clinic data (patient records, backups, recordings) in ' +
              ExpandConstant('{localappdata}\ClinicDesk') + '?' + #13#10#13#10 +
              'Choose No to keep it; a later installation opens it again.',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      RemoveData := MsgBox('This permanently deletes the clinic database and its backups on this computer. ' +
                           'Make sure a copy exists elsewhere. Delete it?',
                           mbError, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  Result := True;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and RemoveData then
  begin
    DelTree(ExpandConstant('{localappdata}\ClinicDesk'), True, True, True);
  end;
end;
