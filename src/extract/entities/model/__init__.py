"""The character CNN-CRF entity model: numpy-only inference (`network`)."""
