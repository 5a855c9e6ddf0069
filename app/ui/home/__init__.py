"""The home screen and its tabs."""
