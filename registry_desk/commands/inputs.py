"""How a command reads a file it is given: a regular file only, of a bounded size, or a Chinese refusal.

Every input file of the command line (`verify FILE`, `seal sign INPUT`, `--contract-data`, `ecert import`,
`restore FILE`, `reconcile --statement`) goes through here. `/proc/self/mem`, a FIFO or a terminal would
otherwise be read until the program hangs or runs out of memory, a directory or a symlink loop would end in
a traceback, and a huge file would be loaded whole before anything looked at it. The file is opened without
blocking (a FIFO swapped in after the check cannot stall the open) and checked on the open descriptor, so
what is read is what was checked.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from registry_desk.domain.errors import NotFound, ValidationError

RULE = "输入文件须为大小有限的普通文件"
MEBIBYTE = 1024 * 1024
# Bounds by kind: a sealed certificate or contract is a few hundred KB; a day's channel statement a few MB.
PDF_LIMIT = 64 * MEBIBYTE
JSON_LIMIT = 4 * MEBIBYTE
CSV_LIMIT = 64 * MEBIBYTE


def _refuse(path_text: str, why: str) -> ValidationError:
    return ValidationError(f"不能读取 {path_text}：{why}", rule=RULE, record=path_text)


def _describe(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "符号链接循环"
    if error.errno == errno.ENAMETOOLONG:
        return "路径过长"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "没有读取权限"
    if error.errno == errno.EISDIR:
        return "这是目录，不是文件"
    return error.strerror or type(error).__name__


def _kind(mode: int) -> str | None:
    """Why a file of this mode is refused, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "这是目录，不是文件"
    if stat.S_ISFIFO(mode):
        return "这是管道（FIFO），不是普通文件"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "这是设备文件，不是普通文件"
    if stat.S_ISSOCK(mode):
        return "这是套接字，不是普通文件"
    return "不是普通文件"


def _open_checked(path_text: str, what: str, limit: int | None) -> tuple[int, int]:
    """An open descriptor on the regular file `path_text` names and its size, once both pass the rules."""
    if not path_text or not path_text.strip() or "\x00" in path_text:
        raise ValidationError(f"没有给出有效的{what}路径", rule=RULE, record=path_text)
    path = Path(path_text).expanduser()
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise NotFound(f"找不到文件：{path_text}（{what}）", rule=RULE, record=path_text) from None
    except OSError as error:
        raise _refuse(path_text, _describe(error)) from None
    except ValueError:  # a path the system cannot even represent
        raise _refuse(path_text, "路径无效") from None
    why = _kind(before.st_mode)
    if why is not None:
        raise _refuse(path_text, why)
    # /proc and /sys call their entries regular files; /proc/self/mem is one, of size 0, that fails to read.
    if os.name == "posix" and path.resolve().parts[1:2] in (("proc",), ("sys",), ("dev",)):
        raise _refuse(path_text, "这是系统的虚拟文件，不是普通文件")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise _refuse(path_text, _describe(error)) from None
    try:
        after = os.fstat(fd)
        why = _kind(after.st_mode)
        if why is not None:
            raise _refuse(path_text, why)
        if limit is not None and after.st_size > limit:
            raise _refuse(
                path_text, f"文件过大（{after.st_size:,} 字节，{what}不得超过 {limit // MEBIBYTE} MB）"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, after.st_size


def input_file(path_text: str, *, what: str = "输入文件", limit: int | None = None) -> Path:
    """The path of a regular, readable file of at most `limit` bytes, for a reader that opens it itself
    (SQLite reading a backup)."""
    fd, _size = _open_checked(path_text, what, limit)
    try:
        os.read(fd, 1)  # readable, not only openable (a file on a failing disk says so here)
    except OSError as error:
        raise _refuse(path_text, _describe(error)) from None
    finally:
        os.close(fd)
    return Path(path_text).expanduser()


def read_input(path_text: str, *, what: str = "输入文件", limit: int = PDF_LIMIT) -> bytes:
    """The content of the regular file `path_text` names, at most `limit` bytes, or a Chinese refusal."""
    fd, _size = _open_checked(path_text, what, limit)
    chunks: list[bytes] = []
    total = 0
    try:
        while True:
            chunk = os.read(fd, MEBIBYTE)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew after the check
                raise _refuse(path_text, f"文件过大（{what}不得超过 {limit // MEBIBYTE} MB）")
            chunks.append(chunk)
    except OSError as error:
        raise _refuse(path_text, _describe(error)) from None
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_pdf(path_text: str, *, what: str = "PDF 文件", limit: int = PDF_LIMIT) -> bytes:
    """A PDF input: read as above, and refused unless it starts like a PDF."""
    data = read_input(path_text, what=what, limit=limit)
    if not data.startswith(b"%PDF"):
        raise ValidationError(f"不是 PDF 文件：{path_text}", rule="只能处理 PDF 文件", record=path_text)
    return data


def read_start(path_text: str, size: int, *, what: str = "输入文件") -> bytes:
    """The first `size` bytes of the regular file `path_text` names (a header to recognise it by), whatever
    its length."""
    fd, _size = _open_checked(path_text, what, None)
    try:
        return os.read(fd, size)
    except OSError as error:
        raise _refuse(path_text, _describe(error)) from None
    finally:
        os.close(fd)


def read_password(prompt: str) -> str:
    """A password typed at the terminal; a Chinese refusal when there is nothing to read (stdin closed or
    redirected from an empty file), where getpass would raise EOFError."""
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise ValidationError(
            f"{prompt.rstrip('：:')}：没有读到输入（标准输入已结束），请在终端中运行并输入密码",
            rule="密码须在终端输入",
        ) from None
