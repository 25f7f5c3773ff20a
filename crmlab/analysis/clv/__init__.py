"""Customer lifetime value: BG/NBD ("buy till you die") and simple retention-based CLV."""
