"""Our Rasa extensions: NLU components, channels and server glue."""
