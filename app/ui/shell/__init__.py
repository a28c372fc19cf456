"""The console's frame: main window, sidebar, status bar, environment marking, command palette."""
