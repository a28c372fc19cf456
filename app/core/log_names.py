"""The names of the console's loggers, importable without the log file's machinery.

The shell's first paint needs the notices logger's name; `app.core.app_log` (which masks secrets
with compiled patterns) is only needed once the log file is installed, after that paint.
"""

#: The console's own logger (the rotating log file's handlers hang here).
LOGGER_NAME = "opsdesk"
#: The console's notices (shell banners of kind warning or error), logged so they reach the log file.
NOTICES_LOGGER = "app.notices"
