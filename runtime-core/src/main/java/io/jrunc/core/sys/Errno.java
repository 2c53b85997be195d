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

  /**
   * The symbolic names of errno 1 to 133 (Linux's last, EHWPOISON), one per line; an empty line
   * where Linux has none (41, 58).
   */
  private static final String NAMES = """
      EPERM
      ENOENT
      ESRCH
      EINTR
      EIO
      ENXIO
      E2BIG
      ENOEXEC
      EBADF
      ECHILD
      EAGAIN
      ENOMEM
      EACCES
      EFAULT
      ENOTBLK
      EBUSY
      EEXIST
      EXDEV
      ENODEV
      ENOTDIR
      EISDIR
      EINVAL
      ENFILE
      EMFILE
      ENOTTY
      ETXTBSY
      EFBIG
      ENOSPC
      ESPIPE
      EROFS
      EMLINK
      EPIPE
      EDOM
      ERANGE
      EDEADLK
      ENAMETOOLONG
      ENOLCK
      ENOSYS
      ENOTEMPTY
      ELOOP

      ENOMSG
      EIDRM
      ECHRNG
      EL2NSYNC
      EL3HLT
      EL3RST
      ELNRNG
      EUNATCH
      ENOCSI
      EL2HLT
      EBADE
      EBADR
      EXFULL
      ENOANO
      EBADRQC
      EBADSLT

      EBFONT
      ENOSTR
      ENODATA
      ETIME
      ENOSR
      ENONET
      ENOPKG
      EREMOTE
      ENOLINK
      EADV
      ESRMNT
      ECOMM
      EPROTO
      EMULTIHOP
      EDOTDOT
      EBADMSG
      EOVERFLOW
      ENOTUNIQ
      EBADFD
      EREMCHG
      ELIBACC
      ELIBBAD
      ELIBSCN
      ELIBMAX
      ELIBEXEC
      EILSEQ
      ERESTART
      ESTRPIPE
      EUSERS
      ENOTSOCK
      EDESTADDRREQ
      EMSGSIZE
      EPROTOTYPE
      ENOPROTOOPT
      EPROTONOSUPPORT
      ESOCKTNOSUPPORT
      EOPNOTSUPP
      EPFNOSUPPORT
      EAFNOSUPPORT
      EADDRINUSE
      EADDRNOTAVAIL
      ENETDOWN
      ENETUNREACH
      ENETRESET
      ECONNABORTED
      ECONNRESET
      ENOBUFS
      EISCONN
      ENOTCONN
      ESHUTDOWN
      ETOOMANYREFS
      ETIMEDOUT
      ECONNREFUSED
      EHOSTDOWN
      EHOSTUNREACH
      EALREADY
      EINPROGRESS
      ESTALE
      EUCLEAN
      ENOTNAM
      ENAVAIL
      EISNAM
      EREMOTEIO
      EDQUOT
      ENOMEDIUM
      EMEDIUMTYPE
      ECANCELED
      ENOKEY
      EKEYEXPIRED
      EKEYREVOKED
      EKEYREJECTED
      EOWNERDEAD
      ENOTRECOVERABLE
      ERFKILL
      EHWPOISON
      """;

  /**
   * Their texts, as Go and runc print them, one per line in the same order. The spawn stub
   * carries these bytes as they are ({@code X86_64Code}: a failed exec's words on the
   * container's stderr); only error paths split them here ({@link #table}).
   */
  private static final String TEXTS = """
      operation not permitted
      no such file or directory
      no such process
      interrupted system call
      input/output error
      no such device or address
      argument list too long
      exec format error
      bad file descriptor
      no child processes
      resource temporarily unavailable
      cannot allocate memory
      permission denied
      bad address
      block device required
      device or resource busy
      file exists
      invalid cross-device link
      no such device
      not a directory
      is a directory
      invalid argument
      too many open files in system
      too many open files
      inappropriate ioctl for device
      text file busy
      file too large
      no space left on device
      illegal seek
      read-only file system
      too many links
      broken pipe
      numerical argument out of domain
      numerical result out of range
      resource deadlock avoided
      file name too long
      no locks available
      function not implemented
      directory not empty
      too many levels of symbolic links

      no message of desired type
      identifier removed
      channel number out of range
      level 2 not synchronized
      level 3 halted
      level 3 reset
      link number out of range
      protocol driver not attached
      no CSI structure available
      level 2 halted
      invalid exchange
      invalid request descriptor
      exchange full
      no anode
      invalid request code
      invalid slot

      bad font file format
      device not a stream
      no data available
      timer expired
      out of streams resources
      machine is not on the network
      package not installed
      object is remote
      link has been severed
      advertise error
      srmount error
      communication error on send
      protocol error
      multihop attempted
      RFS specific error
      bad message
      value too large for defined data type
      name not unique on network
      file descriptor in bad state
      remote address changed
      can not access a needed shared library
      accessing a corrupted shared library
      .lib section in a.out corrupted
      attempting to link in too many shared libraries
      cannot exec a shared library directly
      invalid or incomplete multibyte or wide character
      interrupted system call should be restarted
      streams pipe error
      too many users
      socket operation on non-socket
      destination address required
      message too long
      protocol wrong type for socket
      protocol not available
      protocol not supported
      socket type not supported
      operation not supported
      protocol family not supported
      address family not supported by protocol
      address already in use
      cannot assign requested address
      network is down
      network is unreachable
      network dropped connection on reset
      software caused connection abort
      connection reset by peer
      no buffer space available
      transport endpoint is already connected
      transport endpoint is not connected
      cannot send after transport endpoint shutdown
      too many references: cannot splice
      connection timed out
      connection refused
      host is down
      no route to host
      operation already in progress
      operation now in progress
      stale file handle
      structure needs cleaning
      not a XENIX named type file
      no XENIX semaphores available
      is a named type file
      remote I/O error
      disk quota exceeded
      no medium found
      wrong medium type
      operation canceled
      required key not available
      key has expired
      key has been revoked
      key was rejected by service
      owner died
      state not recoverable
      operation not possible due to RF-kill
      memory page has hardware error
      """;

  /** Errnos 1 to this have a line in {@link #NAMES} and {@link #TEXTS}. */
  public static final int LAST = 133;

  private static volatile String[][] table;

  /** {name, text} by errno (null where none), split from the lines once, by the first error that needs them. */
  private static String[][] table() {
    String[][] t = table;
    if (t == null) {
      String[] names = NAMES.split("\n");
      String[] texts = TEXTS.split("\n");
      t = new String[LAST + 1][];
      for (int e = 1; e <= LAST; e++) {
        if (!names[e - 1].isEmpty()) t[e] = new String[] {names[e - 1], texts[e - 1]};
      }
      table = t;
    }
    return t;
  }

  /** {@link #TEXTS}, for the spawn stub. */
  public static String texts() {
    return TEXTS;
  }

  /** {@code ENOENT}, or {@code errno 200} for a value we have no name for. */
  public static String name(int errno) {
    String[] e = entry(errno);
    return e != null ? e[0] : "errno " + errno;
  }

  private static String[] entry(int errno) {
    return errno > 0 && errno <= LAST ? table()[errno] : null;
  }

  /** {@code no such file or directory}. */
  public static String message(int errno) {
    String[] e = entry(errno);
    return e != null ? e[1] : "error " + errno;
  }

  /** {@code no such file or directory (ENOENT)}. */
  public static String describe(int errno) {
    String[] e = entry(errno);
    return e != null
        ? e[1].concat(" (").concat(e[0]).concat(")") // no + here: SysException.format
        : "errno ".concat(Integer.toString(errno));
  }
}
