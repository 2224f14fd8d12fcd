"""The support terms' versions and who accepted which (POLICY R18, R19)."""
