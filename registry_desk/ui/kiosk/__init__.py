"""The self-service kiosk (自助打证机): a full-screen, touch-sized window over the kiosk/ package."""
