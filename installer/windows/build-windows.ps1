# Builds the Windows bundle dist\ClinicDesk\ with PyInstaller (installer\clinicdesk.spec, the same recipe as Linux)
# and, when Inno Setup 6 is installed, the single-file installer dist\ClinicDesk-Setup-<version>.exe.
#
# Usage (PowerShell, from anywhere):  installer\windows\build-windows.ps1 [-Python py] [-FontsDir C:\noto] [-SkipInstaller]
# Needs: Python 3.11 x64, Inno Setup 6 (ISCC.exe) for the installer, the six Noto TTFs listed in clinicdesk.spec
# in -FontsDir (Hindi and Malayalam prescriptions). Everything else comes from the package index: nothing is
# downloaded when the clinic runs the app.
param(
    [string]$Python = "py -3.11",
    [string]$FontsDir = "",
    [switch]$SkipInstaller
)
$ErrorActionPreference = "Stop"
$Root = Resolve-Path (Join-Path $PSScriptRoot "..\..")
Set-Location $Root
$started = Get-Date

# A clean build environment: only ClinicDesk's runtime dependencies and PyInstaller (the `bundle` extra).
$Venv = Join-Path $Root "build\venv-windows"
if (Test-Path $Venv) { Remove-Item -Recurse -Force $Venv }
Invoke-Expression "$Python -m venv `"$Venv`""
$Py = Join-Path $Venv "Scripts\python.exe"
& $Py -m pip install --quiet --upgrade pip
& $Py -m pip install --quiet ".[bundle]"
if ($LASTEXITCODE -ne 0) { throw "pip install failed" }

if ($FontsDir) { $env:CLINICDESK_FONTS_DIR = $FontsDir }
& $Py -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build\pyinstaller `
    installer\clinicdesk.spec
if ($LASTEXITCODE -ne 0) { throw "PyInstaller failed" }

$Version = & $Py -c "import clinicdesk; print(clinicdesk.__version__)"
$SizeMB = [math]::Round((Get-ChildItem -Recurse dist\ClinicDesk | Measure-Object -Sum Length).Sum / 1MB)
Write-Host "Bundle: dist\ClinicDesk ($SizeMB MB)"

if (-not $SkipInstaller) {
    $Iscc = @("${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe", "$env:ProgramFiles\Inno Setup 6\ISCC.exe") |
        Where-Object { Test-Path $_ } | Select-Object -First 1
    if (-not $Iscc) { throw "Inno Setup 6 (ISCC.exe) not found; install it or pass -SkipInstaller" }
    & $Iscc "/DAppVersion=$Version" "/DSourceDir=$Root\dist\ClinicDesk" "/O$Root\dist" installer\windows\clinicdesk.iss
    if ($LASTEXITCODE -ne 0) { throw "Inno Setup failed" }
    Write-Host "Installer: dist\ClinicDesk-Setup-$Version.exe"
}
Write-Host ("Build time: {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
