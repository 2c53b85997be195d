package io.jrunc.core.sys;

/**
 * errno values (Linux, the same on x86-64 and aarch64) and how we print them: the lower-case
 * text Go and runc print ("no such file or directory": docker maps it to exit 127, "permission
 * denied" to 126) followed by the symbolic name.
 */
public final class Errno {
  private Errno() {}

  public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6,
      E2BIG = 7, ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
      EFAULT = 14, ENOTBLK = 15, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20,
      EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27,
      ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34,
      EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40,
      ENODATA = 61, EOVERFLOW = 75, ELIBBAD = 80, EOPNOTSUPP = 95, EADDRINUSE = 98, ECONNREFUSED = 111,
      ETIMEDOUT = 110, EALREADY = 114, ESTALE = 116, EDQUOT = 122, ECANCELED = 125,
      EOWNERDEAD = 130, ENOTRECOVERABLE = 131, ENOTSUP = 95;

  private static final String[][] TABLE = new String[134][];

  static {
    put(EPERM, "EPERM", "operation not permitted");
    put(ENOENT, "ENOENT", "no such file or directory");
    put(ESRCH, "ESRCH", "no such process");
    put(EINTR, "EINTR", "interrupted system call");
    put(EIO, "EIO", "input/output error");
    put(ENXIO, "ENXIO", "no such device or address");
    put(E2BIG, "E2BIG", "argument list too long");
    put(ENOEXEC, "ENOEXEC", "exec format error");
    put(EBADF, "EBADF", "bad file descriptor");
    put(ECHILD, "ECHILD", "no child processes");
    put(EAGAIN, "EAGAIN", "resource temporarily unavailable");
    put(ENOMEM, "ENOMEM", "cannot allocate memory");
    put(EACCES, "EACCES", "permission denied");
    put(EFAULT, "EFAULT", "bad address");
    put(ENOTBLK, "ENOTBLK", "block device required");
    put(EBUSY, "EBUSY", "device or resource busy");
    put(EEXIST, "EEXIST", "file exists");
    put(EXDEV, "EXDEV", "invalid cross-device link");
    put(ENODEV, "ENODEV", "no such device");
    put(ENOTDIR, "ENOTDIR", "not a directory");
    put(EISDIR, "EISDIR", "is a directory");
    put(EINVAL, "EINVAL", "invalid argument");
    put(ENFILE, "ENFILE", "too many open files in system");
    put(EMFILE, "EMFILE", "too many open files");
    put(ENOTTY, "ENOTTY", "inappropriate ioctl for device");
    put(ETXTBSY, "ETXTBSY", "text file busy");
    put(EFBIG, "EFBIG", "file too large");
    put(ENOSPC, "ENOSPC", "no space left on device");
    put(ESPIPE, "ESPIPE", "illegal seek");
    put(EROFS, "EROFS", "read-only file system");
    put(EMLINK, "EMLINK", "too many links");
    put(EPIPE, "EPIPE", "broken pipe");
    put(EDOM, "EDOM", "numerical argument out of domain");
    put(ERANGE, "ERANGE", "numerical result out of range");
    put(EDEADLK, "EDEADLK", "resource deadlock avoided");
    put(ENAMETOOLONG, "ENAMETOOLONG", "file name too long");
    put(ENOLCK, "ENOLCK", "no locks available");
    put(ENOSYS, "ENOSYS", "function not implemented");
    put(ENOTEMPTY, "ENOTEMPTY", "directory not empty");
    put(ELOOP, "ELOOP", "too many levels of symbolic links");
    put(ENODATA, "ENODATA", "no data available");
    put(EOVERFLOW, "EOVERFLOW", "value too large for defined data type");
    put(ELIBBAD, "ELIBBAD", "accessing a corrupted shared library"); // execve: a bad ELF interpreter
    put(EOPNOTSUPP, "EOPNOTSUPP", "operation not supported");
    put(EADDRINUSE, "EADDRINUSE", "address already in use");
    put(ETIMEDOUT, "ETIMEDOUT", "connection timed out");
    put(ECONNREFUSED, "ECONNREFUSED", "connection refused");
    put(EALREADY, "EALREADY", "operation already in progress");
    put(ESTALE, "ESTALE", "stale file handle");
    put(EDQUOT, "EDQUOT", "disk quota exceeded");
    put(ECANCELED, "ECANCELED", "operation canceled");
    put(EOWNERDEAD, "EOWNERDEAD", "owner died");
    put(ENOTRECOVERABLE, "ENOTRECOVERABLE", "state not recoverable");
  }

  private static void put(int errno, String name, String text) {
    TABLE[errno] = new String[] {name, text};
  }

  /** {@code ENOENT}, or {@code errno 200} for a value we have no name for. */
  public static String name(int errno) {
    return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][0] : "errno " + errno;
  }

  /** {@code no such file or directory}. */
  public static String message(int errno) {
    return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][1] : "error " + errno;
  }

  /** {@code no such file or directory}, or null for a value we have no text for. */
  public static String text(int errno) {
    return errno > 0 && errno < TABLE.length && TABLE[errno] != null ? TABLE[errno][1] : null;
  }

  /** {@code no such file or directory (ENOENT)}. */
  public static String describe(int errno) {
    return errno > 0 && errno < TABLE.length && TABLE[errno] != null
        ? TABLE[errno][1].concat(" (").concat(TABLE[errno][0]).concat(")") // no + here: SysException.format
        : "errno ".concat(Integer.toString(errno));
  }
}
