; Inno Setup 6 script: per-user install of the PyInstaller folder (dist\counter-app), no admin rights.
; Build (Windows runner, .github/workflows/windows.yml):  iscc /DAppVersion=0.1.0 packaging\windows\counter_app.iss
; STATUS: written, not yet compiled or installed on Windows by anyone (see README "What has run where").
;
; Per-user: PrivilegesRequired=lowest puts the program in %LOCALAPPDATA%\Programs\QuayMotCua and the
; shortcut in the user's own Start menu, so an officer without admin rights can install and update.
; The data directory (%LOCALAPPDATA%\QuayMotCua, counter_app.paths) is NOT under {app} and is never
; touched by the uninstaller: citizens' dossiers outlive the program.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Quầy Một Cửa"
#define DistDir "..\..\dist\counter-app"

[Setup]
AppId={{6F1C2E7A-93B4-4C55-9E0D-18A3C7B2D418}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Quầy Một Cửa
DefaultDirName={autopf}\QuayMotCua
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=QuayMotCua-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\counter-app-gui.exe
; The app must not be running while its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "vi"; MessagesFile: "compiler:Default.isl"

[Messages]
vi.WelcomeLabel1=Cài đặt [name]
vi.WelcomeLabel2=Chương trình sẽ cài [name/ver] cho tài khoản Windows này (không cần quyền quản trị).
vi.FinishedLabel=Đã cài xong [name]. Mở chương trình từ menu Start.

[Tasks]
Name: "desktopicon"; Description: "Tạo biểu tượng trên màn hình"; Flags: unchecked

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\counter-app-gui.exe"; WorkingDir: "{app}"
Name: "{autoprograms}\{#AppName} — kiểm tra chữ ký số"; Filename: "{app}\counter-app-selftest.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\counter-app-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\counter-app-gui.exe"; Description: "Mở {#AppName}"; Flags: nowait postinstall skipifsilent
