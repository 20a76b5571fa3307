"""``PerProcess``: a handle opened on first use, once per process, and never pickled.

Like :func:`functools.cached_property`, for what must not cross a process boundary (an open
TIFF file, a tensorstore handle, an HTTP session). The value is kept in the owner's
``__dict__`` under the attribute's name, with the id of the process that opened it:

* a forked child sees another pid and opens its own (tensorstore is not fork-safe, and a
  file position or a pooled connection must not be shared with the parent);
* owners pickle ``without_handles(self)``, so an unpickled copy (a spawned worker) finds
  nothing and opens its own;
* ``close`` (if given) runs through :func:`weakref.finalize`: when the owner is collected,
  at interpreter exit, or at ``PerProcess.close(owner)``, at most once per opened value.

Opening is serialized by one lock per attribute (reset in a forked child), so threads that
race for the first access share one handle.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, NamedTuple, NoReturn, TypeVar, overload

T = TypeVar("T")


class _Opened(NamedTuple):
    pid: int
    value: Any
    finalizer: Callable[[], object] | None


class PerProcess(Generic[T]):
    """A lazily opened, per-process attribute; ``opener(owner)`` makes the value.

    >>> class Owner:
    ...     handle = PerProcess(lambda owner: object())
    ...     __getstate__ = without_handles
    >>> owner = Owner()
    >>> owner.handle is owner.handle
    True
    >>> "handle" in owner.__getstate__()
    False
    """

    def __init__(
        self, opener: Callable[[Any], T], *, close: Callable[[T], object] | None = None
    ) -> None:
        self._opener = opener
        self._close = close
        self._name = getattr(opener, "__name__", "handle")
        self.__doc__ = opener.__doc__
        self._lock = threading.RLock()
        if hasattr(os, "register_at_fork"):  # a lock held at fork time stays held in the child
            os.register_at_fork(after_in_child=self._new_lock)

    def _new_lock(self) -> None:
        self._lock = threading.RLock()

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> PerProcess[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> PerProcess[T] | T:
        if obj is None:
            return self
        opened = obj.__dict__.get(self._name)
        if opened is None or opened.pid != os.getpid():
            with self._lock:
                opened = obj.__dict__.get(self._name)
                if opened is None or opened.pid != os.getpid():
                    opened = self._open(obj)
        value: T = opened.value
        return value

    def _open(self, obj: object) -> _Opened:
        value = self._opener(obj)
        finalizer = None if self._close is None else weakref.finalize(obj, self._close, value)
        opened = _Opened(os.getpid(), value, finalizer)
        obj.__dict__[self._name] = opened
        return opened

    def __set__(self, obj: object, value: object) -> NoReturn:
        raise AttributeError(f"{self._name!r} is opened on first use; it cannot be assigned")

    def close(self, obj: object) -> None:
        """Close ``obj``'s value now, if it has one; the next access opens a new one."""
        opened = obj.__dict__.pop(self._name, None)
        if opened is not None and opened.finalizer is not None:
            opened.finalizer()


def without_handles(obj: object) -> dict[str, Any]:
    """``obj.__dict__`` without its :class:`PerProcess` values: an owner's ``__getstate__``."""
    return {key: value for key, value in obj.__dict__.items() if not isinstance(value, _Opened)}
