"""Refuses a Qt binding known to crash the window at random, with a message saying why and what to install.

PySide6 6.12.0 returns `True` from `SignalInstance.emit`, `connect` and `disconnect` without taking a
reference to it. On Python 3.11 (`True` is an ordinary counted object there; 3.12 made it immortal) each
call drops one reference that was never taken, and after some thousands of signals the interpreter aborts in
`bool_dealloc`, wherever it happens to be. A counter window emits that many in an hour. The probe below
measures the defect itself rather than trusting a version number, so a fixed or a patched build passes.
"""

from __future__ import annotations

import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QCoreApplication, QObject, Signal

PROBE_CALLS = 16


class _Probe(QObject):
    ping = Signal()


def signal_reference_leak() -> int:
    """How many references to True one round of PROBE_CALLS emits and (dis)connects lost (0 when sound)."""
    probe = _Probe()
    slot = _ignore
    before = sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        probe.ping.connect(slot)
        probe.ping.emit()
        probe.ping.disconnect(slot)
    lost = before - sys.getrefcount(True)
    probe.deleteLater()
    return max(lost, 0)


def _ignore() -> None:
    return None


def defect_message() -> str | None:
    """A Chinese message naming the defect and the installed version, or None when the binding is sound."""
    lost = signal_reference_leak()
    if lost < PROBE_CALLS:  # an unrelated reference taken or released meanwhile is not the defect
        return None
    return QCoreApplication.translate(
        "QtRuntime",
        "当前安装的 PySide6 {version} 存在引用计数缺陷（每发出一次信号丢失一个引用，运行一段时间后程序会随机崩溃），"
        "已拒绝启动以免丢失正在办理的业务。请安装 PySide6 6.11 或修复后的版本："
        'pip install "PySide6-Essentials!=6.12.0" "PySide6-Addons!=6.12.0"',
    ).format(version=PYSIDE_VERSION)
