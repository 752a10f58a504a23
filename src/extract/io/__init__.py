"""The edges: bytes to text (`decode`), files and folders (`batch`), typed tables (`tables`), the command (`cli`)."""
