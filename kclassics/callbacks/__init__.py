"""Keras callbacks with the behaviour of the book's `contrib.learn` Monitors."""

from kclassics.callbacks.stop import StopAtStep

__all__ = ["StopAtStep"]
