"""Custom actions of Poradnyk, one module per action family.

The action server imports every module of this package and registers every
``Action`` subclass it finds; importing it does no work.
"""
