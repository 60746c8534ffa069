; Indicia's Windows installer, for NSIS 3 (makensis). `make package-windows` builds it
; from the cross-compiled dist/Indicia.exe:
;
;   makensis -V2 -INPUTCHARSET UTF8 -DVERSION=0.1.0 -DVERSION4=0.1.0.1 -DAPPID=be.indicia.training \
;     -DEXE=dist/Indicia.exe -DICON=build/windows/indicia.ico \
;     -DOUTFILE=dist/Indicia-0.1.0-setup.exe assets/windows/installer.nsi
;
; It installs for the current user only, without administrator rights, into
; %LocalAppData%\Programs\Indicia, with a Start-menu shortcut and an uninstaller
; (listed in Settings > Apps). The uninstaller keeps the learners' data
; (%AppData%\indicia: the progress database, its backups and keys) unless the user
; ticks "Remove the learners' data", or passes /REMOVEDATA to a silent uninstall.
;
; Silent use: Indicia-<version>-setup.exe /S [/D=folder]
;             Uninstall.exe /S [/REMOVEDATA]

; A 64-bit installer for a 64-bit program (Go supports no 32-bit Windows for it): it
; runs wherever the app can, and under a 64-bit-only Wine.
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION | VERSION4 | APPID | EXE | ICON | OUTFILE
  !error "Build with make package-windows, which defines VERSION, VERSION4, APPID, EXE, ICON and OUTFILE."
!endif

!define APPNAME "Indicia"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"
; The app keeps its data in %AppData%\indicia and Fyne its preferences (language, text
; size, theme) in %AppData%\fyne\<app id>.
!define DATADIR "$APPDATA\indicia"
!define PREFSDIR "$APPDATA\fyne\${APPID}"

!include MUI2.nsh
!include FileFunc.nsh
!include LogicLib.nsh
!include Sections.nsh

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
BrandingText "${APPNAME} ${VERSION}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\Indicia.exe"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!define MUI_COMPONENTSPAGE_TEXT_TOP "$(KeepDataText)"
!define MUI_COMPONENTSPAGE_NODESC
!insertmacro MUI_UNPAGE_COMPONENTS
!insertmacro MUI_UNPAGE_INSTFILES

; The first language is the default; the others are picked from Windows' language.
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "French"
!insertmacro MUI_LANGUAGE "Dutch"
!insertmacro MUI_LANGUAGE "German"

LangString RemoveData ${LANG_ENGLISH} "Remove the learners' data"
LangString RemoveData ${LANG_FRENCH} "Supprimer les données des apprenants"
LangString RemoveData ${LANG_DUTCH} "De gegevens van de cursisten verwijderen"
LangString RemoveData ${LANG_GERMAN} "Daten der Lernenden entfernen"

LangString KeepDataText ${LANG_ENGLISH} "The learners' progress and its backups (in ${DATADIR}) and the app's settings are kept, unless you tick the box below. Removing them cannot be undone."
LangString KeepDataText ${LANG_FRENCH} "La progression des apprenants et ses sauvegardes (dans ${DATADIR}) ainsi que les paramètres de l'application sont conservés, sauf si vous cochez la case ci-dessous. Leur suppression est définitive."
LangString KeepDataText ${LANG_DUTCH} "De voortgang van de cursisten en de back-ups ervan (in ${DATADIR}) en de instellingen van de app blijven bewaard, tenzij u het vakje hieronder aanvinkt. Verwijderen kan niet ongedaan worden gemaakt."
LangString KeepDataText ${LANG_GERMAN} "Der Fortschritt der Lernenden und seine Sicherungen (in ${DATADIR}) sowie die Einstellungen der App bleiben erhalten, außer Sie kreuzen das Kästchen unten an. Das Entfernen kann nicht rückgängig gemacht werden."

LangString StillRunning ${LANG_ENGLISH} "Indicia is still open. Close it, then try again."
LangString StillRunning ${LANG_FRENCH} "Indicia est encore ouvert. Fermez-le, puis réessayez."
LangString StillRunning ${LANG_DUTCH} "Indicia is nog open. Sluit het en probeer het opnieuw."
LangString StillRunning ${LANG_GERMAN} "Indicia ist noch geöffnet. Schließen Sie es und versuchen Sie es erneut."

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileVersion" "${VERSION4}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "FileDescription" "${APPNAME} ${VERSION} setup"
VIAddVersionKey /LANG=${LANG_ENGLISH} "CompanyName" "${APPNAME}"
VIAddVersionKey /LANG=${LANG_ENGLISH} "LegalCopyright" "${APPNAME}"

Section "${APPNAME}" SecApp
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=Indicia.exe" "${EXE}"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\Indicia.exe" "" "$INSTDIR\Indicia.exe" 0

  ; Listed in Settings > Apps, for this user only.
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\Indicia.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "un.${APPNAME}" SecUnApp
  SectionIn RO
  SetShellVarContext current
  ; A running copy keeps its program file open: ask to close it rather than leave
  ; half an installation.
  retry:
  ClearErrors
  Delete "$INSTDIR\Indicia.exe"
  ${If} ${Errors}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY retry
    Abort
  ${EndIf}
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$INSTDIR\Uninstall.exe"
  ; Not /r: a portable data folder or anything else the user put there stays.
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTKEY}"
SectionEnd

; Unticked unless asked: the data outlives the program.
Section /o "un.$(RemoveData)" SecUnData
  SetShellVarContext current
  RMDir /r "${DATADIR}"
  RMDir /r "${PREFSDIR}"
  RMDir "$APPDATA\fyne"
SectionEnd

Function un.onInit
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/REMOVEDATA" $R1
  ${IfNot} ${Errors}
    !insertmacro SelectSection ${SecUnData}
  ${EndIf}
FunctionEnd
