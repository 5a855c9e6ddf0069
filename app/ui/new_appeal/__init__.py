"""Filing an appeal: one part per section of the form, the emergency step, the in-app camera."""
