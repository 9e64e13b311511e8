"""The ledger's storage: payment orders and lines, channel transactions, journal entries, receipts, refunds."""
