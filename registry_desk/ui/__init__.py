"""The PySide6 clerk window: login, search, register view, case list, item models and dialogs."""

ORGANISATION = "registry-desk"
APPLICATION = "registry-desk"
