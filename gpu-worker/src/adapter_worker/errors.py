"""Errors a job can end with. Each has a code from a closed set (the protocol's `error.code`)
and says whether retrying the same job elsewhere could succeed."""

from __future__ import annotations


class WorkerError(Exception):
    """A job failed in a way the worker understands; the worker loop reports it and goes on."""

    code = "internal"
    retryable = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if retryable is not None:
            self.retryable = retryable


class InvalidInput(WorkerError):
    """The job's parameters or input files are wrong; the same job will fail again."""

    code = "invalid_input"


class LoraMismatch(InvalidInput):
    code = "lora_mismatch"


class ModelNotFound(WorkerError):
    """A model the job names is not configured on this worker, or its file is missing."""

    code = "model_not_found"


class ModelInvalid(WorkerError):
    """A configured model file is corrupt, truncated, or does not fit the models it is used with."""

    code = "model_invalid"


class InputUnavailable(WorkerError):
    """An input could not be downloaded (network, expired URL); another attempt may succeed."""

    code = "input_unavailable"
    retryable = True


class OutOfMemory(WorkerError):
    code = "out_of_memory"
    retryable = True


class JobCancelled(BaseException):
    """Raised from the step callback when the job is cancelled or the worker is shutting down.

    A BaseException so that `except Exception` anywhere in library code cannot swallow it.
    """

    def __init__(self, reason: str = "cancelled") -> None:
        super().__init__(reason)
        self.reason = reason


ERROR_CODES = ("internal", "invalid_input", "lora_mismatch", "model_not_found", "model_invalid",
               "input_unavailable", "out_of_memory")
