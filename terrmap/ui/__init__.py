"""The desktop app: main window, map canvas, panels, dialogs and workers (Qt)."""
