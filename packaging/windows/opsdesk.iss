; Inno Setup 6 script: a per-user installer for the one-folder bundle in dist\opsdesk.
; Build the bundle first (python packaging\build.py), then: iscc packaging\windows\opsdesk.iss
; Pass the version with /DAppVersion=0.1.0 (build.py prints it) or edit the default below.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6E0C3C39-1F0B-4E5B-9B7B-0A8B0F6D0F51}
AppName=Opsdesk
AppVersion={#AppVersion}
AppPublisher=Opsdesk
DefaultDirName={localappdata}\Programs\Opsdesk
DefaultGroupName=Opsdesk
PrivilegesRequired=lowest
OutputDir=..\..\dist
OutputBaseFilename=opsdesk-{#AppVersion}-windows-setup
SetupIconFile=..\..\build\opsdesk.ico
UninstallDisplayIcon={app}\opsdesk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\opsdesk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Opsdesk"; Filename: "{app}\opsdesk.exe"
Name: "{userdesktop}\Opsdesk"; Filename: "{app}\opsdesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\opsdesk.exe"; Description: "Start Opsdesk"; Flags: nowait postinstall skipifsilent
