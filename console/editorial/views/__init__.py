"""The console's pages: thin views over :mod:`console.editorial.publishing` and friends."""
