"""Identity posture audit: exports of identity systems in, one model, checks, findings out."""
