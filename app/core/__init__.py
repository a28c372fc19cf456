"""Qt-free console services: paths, profiles, keychain, first run, drafts, app log, sandbox child."""
