"""Operations: project paths, dev secrets, and launchers for the local servers."""
