"""The kiosk's storage: paper stock, prints, identity locks and settings, and its reads of the register."""
