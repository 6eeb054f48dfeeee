"""Keras callbacks with the behaviour of the book's `contrib.learn` Monitors."""

from kclassics.callbacks.stop import StopAtStep
from kclassics.callbacks._base import StepTrigger, global_step
from kclassics.callbacks.logging import StepCounter, StepLogger
from kclassics.callbacks.variables import CaptureVariable, LoggingTrainable, find_variable
from kclassics.callbacks.tensors import PrintTensor
from kclassics.callbacks.summaries import SummarySaver
from kclassics.callbacks.validation import ValidationMonitor
from kclassics.callbacks.checkpoint import CheckpointSaver, list_checkpoints, restore_checkpoint
from kclassics.callbacks.nan import NanLoss, NanLossDuringTrainingError
from kclassics.callbacks.export import ExportMonitor, list_versions

__all__ = ["StopAtStep"]
__all__ += [
    "CaptureVariable", "CheckpointSaver", "ExportMonitor", "LoggingTrainable", "NanLoss", "NanLossDuringTrainingError",
    "PrintTensor", "StepCounter", "StepLogger", "StepTrigger", "SummarySaver", "ValidationMonitor",
    "find_variable", "global_step", "list_checkpoints", "list_versions", "restore_checkpoint",
]
