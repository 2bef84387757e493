/*
 * mcd_api.h - the Multi-Core Debug (MCD) API, version 1.1.
 *
 * The mcdshm project wrote this header from its own fact sheet
 * (spec/mcd-api.md); it copies no published copy of the header. It
 * declares the basic types, the constants, the 23 enumeration types, the
 * 32 structures and the 54 mcd_*_f functions of MCD 1.1 for the Linux ABI:
 * mcd_bool_t is one byte (uint8_t) and every *_et type is a uint32_t. With
 * that ABI every structure has the same size and field offsets as in any
 * other 1.1 header built for Linux with a 1-byte mcd_bool_t, so a tool
 * compiled against such a header works with our library unchanged.
 *
 * Conventions that hold for the whole API:
 * - every function except mcd_exit_f and mcd_qry_error_info_f returns an
 *   mcd_return_et, the action the caller has to take; on anything but
 *   MCD_RET_ACT_NONE, mcd_qry_error_info_f tells what went wrong;
 * - strings are zero-terminated; arrays and buffers are allocated by the
 *   caller, except the mcd_server_st and mcd_core_st objects that
 *   mcd_open_server_f and mcd_open_core_f allocate;
 * - count-then-fetch queries take a start_index and a uint32_t *num_x:
 *   on input *num_x is the capacity of the output array, and 0 asks only
 *   for the total count; on output it is the number of entries written,
 *   or the total count when the input was 0; a start_index at or past the
 *   total is MCD_ERR_PARAM.
 *
 * Usable from C11 and C++. Define MCD_API_EXPORT before including this file
 * to change how the functions are exported.
 */

#ifndef MCD_API_H
#define MCD_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MCD_API_EXPORT
#define MCD_API_EXPORT __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------
 * Basic types
 */

/* Characters of strings; assumed to be 8 bits wide. */
typedef char mcd_char_t;

/* Boolean of the Linux ABI: one byte, FALSE (0) or TRUE (1). */
typedef uint8_t mcd_bool_t;

#ifndef TRUE
#define TRUE 1
#endif

#ifndef FALSE
#define FALSE 0
#endif

/* ------------------------------------------------------------------------
 * Constants
 */

/* API version this header describes (see mcd_api_version_st). */
#define MCD_API_VER_MAJOR 1
#define MCD_API_VER_MINOR 1
#define MCD_API_VER_AUTHOR "SPRINT Release"
#define MCD_API_VER_BUILD 150

/* String buffer sizes; each includes the terminating NUL. */
#define MCD_HOSTNAME_LEN 64
#define MCD_REG_NAME_LEN 32
#define MCD_MEM_SPACE_NAME_LEN 32
#define MCD_MEM_BLOCK_NAME_LEN 32
#define MCD_INFO_STR_LEN 256
#define MCD_KEY_LEN 64
#define MCD_UNIQUE_NAME_LEN 64
#define MCD_API_IMP_VENDOR_LEN 32
#define MCD_CORE_MODE_NAME_LEN 32

/* parent_id of a memory block at the root of its memory space. */
#define MCD_MEM_BLOCK_NOPARENT 0

/* Number of entries in mcd_memblock_st.supported_au_sizes. */
#define MCD_MEM_AUSIZE_NUM 8

/* Largest number of triggers of one core. */
#define MCD_MAX_TRIGS 32

/* Largest number of communication channels of one server. */
#define MCD_CHL_NUM_MAX 32

/* Channel priorities run from 0 (highest) to this value (lowest). */
#define MCD_CHL_LOWEST_PRIORITY 15

/* Largest number of transactions in one transaction list. */
#define MCD_TX_NUM_MAX 64

/* Payload bytes per transaction list that every implementation accepts. */
#define MCD_GUARANTEED_MIN_PAYLOAD 16384

/* ------------------------------------------------------------------------
 * Enumerations: each type is a uint32_t, its values an anonymous enum.
 * A RESERVED_LO..HI range must not be used; a CUSTOM_LO..HI range is free
 * for definitions of an implementation.
 */

/* What the caller has to do after a call. */
typedef uint32_t mcd_return_et;
enum {
    MCD_RET_ACT_NONE = 0x00000000,         /* success */
    MCD_RET_ACT_AGAIN = 0x00000001,        /* call the function again */
    MCD_RET_ACT_HANDLE_EVENT = 0x00000002, /* events: see qry_error_info */
    MCD_RET_ACT_HANDLE_ERROR = 0x00000003, /* error: see qry_error_info */
    MCD_RET_ACT_RESERVED_LO = 0x00000004,
    MCD_RET_ACT_RESERVED_HI = 0x00008000,
    MCD_RET_ACT_CUSTOM_LO = 0x00010000,
    MCD_RET_ACT_CUSTOM_HI = 0x40000000,
};

/*
 * Detail of an error, in mcd_error_info_st.error_code. Codes below 0x1000
 * may come from any function; the others belong to specific functions.
 */
typedef uint32_t mcd_error_code_et;
enum {
    MCD_ERR_NONE = 0x00000000,
    MCD_ERR_FN_UNIMPLEMENTED = 0x00000100,
    MCD_ERR_USAGE = 0x00000101,
    MCD_ERR_PARAM = 0x00000102,
    MCD_ERR_CONNECTION = 0x00000200,
    MCD_ERR_TIMED_OUT = 0x00000201,
    MCD_ERR_GENERAL = 0x00000F00,
    MCD_ERR_RESULT_TOO_LONG = 0x00001000,
    MCD_ERR_COULD_NOT_START_SERVER = 0x00001100,
    MCD_ERR_SERVER_LOCKED = 0x00001101,
    MCD_ERR_NO_MEM_SPACES = 0x00001401,
    MCD_ERR_NO_MEM_BLOCKS = 0x00001402,
    MCD_ERR_MEM_SPACE_ID = 0x00001410,
    MCD_ERR_NO_REG_GROUPS = 0x00001440,
    MCD_ERR_REG_GROUP_ID = 0x00001441,
    MCD_ERR_REG_NOT_COMPOUND = 0x00001442,
    MCD_ERR_OVERLAYS = 0x00001500,
    MCD_ERR_DEVICE_ACCESS = 0x00001900,
    MCD_ERR_DEVICE_LOCKED = 0x00001901,
    MCD_ERR_TXLIST_READ = 0x00002100,
    MCD_ERR_TXLIST_WRITE = 0x00002101,
    MCD_ERR_TXLIST_TX = 0x00002102,
    MCD_ERR_CHL_TYPE_NOT_SUPPORTED = 0x00003100,
    MCD_ERR_CHL_TARGET_NOT_SUPPORTED = 0x00003101,
    MCD_ERR_CHL_SETUP = 0x00003102,
    MCD_ERR_CHL_MESSAGE_FAILED = 0x00003140,
    MCD_ERR_TRIG_CREATE = 0x00003200,
    MCD_ERR_TRIG_ACCESS = 0x00003201,
    MCD_ERR_CUSTOM_LO = 0x10000000,
    MCD_ERR_CUSTOM_HI = 0x7FFFFFFF,
};

/* Target events (bit flags), in mcd_error_info_st.error_events. */
typedef uint32_t mcd_error_event_et;
enum {
    MCD_ERR_EVT_NONE = 0x00000000,
    MCD_ERR_EVT_RESET = 0x00000001,     /* the target was reset */
    MCD_ERR_EVT_PWRDN = 0x00000002,     /* the target was powered down */
    MCD_ERR_EVT_HWFAILURE = 0x00000004, /* the target hardware failed */
    MCD_ERR_EVT_RESERVED_LO = 0x00000008,
    MCD_ERR_EVT_RESERVED_HI = 0x00008000,
    MCD_ERR_EVT_CUSTOM_LO = 0x00010000,
    MCD_ERR_EVT_CUSTOM_HI = 0x40000000,
};

/* What mcd_addr_st.addr_space_id identifies. */
typedef uint32_t mcd_addr_space_type_et;
enum {
    MCD_NOTUSED_ID = 0,   /* addr_space_id is not used */
    MCD_OVERLAY_ID = 1,   /* an overlay */
    MCD_MEMBANK_ID = 2,   /* a memory bank */
    MCD_PROCESS_ID = 3,   /* a process */
    MCD_HW_THREAD_ID = 4, /* a hardware thread */
};

/*
 * Kind of a memory space (bit flags). REGISTERS, PROGRAM, VIRTUAL and
 * CACHE exclude each other; PHYSICAL or LOGICAL may be added to them.
 */
typedef uint32_t mcd_mem_type_et;
enum {
    MCD_MEM_SPACE_DEFAULT = 0x00000000,
    MCD_MEM_SPACE_IS_REGISTERS = 0x00000001,
    MCD_MEM_SPACE_IS_PROGRAM = 0x00000002,
    MCD_MEM_SPACE_IS_VIRTUAL = 0x00000004, /* not a resource of the target */
    MCD_MEM_SPACE_IS_CACHE = 0x00000008,
    MCD_MEM_SPACE_IS_PHYSICAL = 0x00000010, /* not translated by an MMU */
    MCD_MEM_SPACE_IS_LOGICAL = 0x00000020,  /* translated by an MMU */
    MCD_MEM_SPACE_RESERVED_LO = 0x00000040,
    MCD_MEM_SPACE_RESERVED_HI = 0x00008000,
    MCD_MEM_SPACE_CUSTOM_LO = 0x00010000,
    MCD_MEM_SPACE_CUSTOM_HI = 0x40000000,
};

/* Byte order of a memory space or block; a block's value wins. */
typedef uint32_t mcd_endian_et;
enum {
    MCD_ENDIAN_DEFAULT = 0, /* that of the architecture or the parent */
    MCD_ENDIAN_LITTLE = 1,
    MCD_ENDIAN_BIG = 2,
};

/* Kind of a register. */
typedef uint32_t mcd_reg_type_et;
enum {
    MCD_REG_TYPE_SIMPLE = 0,
    MCD_REG_TYPE_COMPOUND = 1, /* made of several simple registers */
    MCD_REG_TYPE_PARTIAL = 2,  /* a part of a simple register */
};

/*
 * Trigger types (bit flags): a trigger structure holds exactly one,
 * mcd_trig_info_st.type the OR of those supported.
 */
typedef uint32_t mcd_trig_type_et;
enum {
    MCD_TRIG_TYPE_UNDEFINED = 0x00000000,
    MCD_TRIG_TYPE_IP = 0x00000001,       /* instruction pointer */
    MCD_TRIG_TYPE_READ = 0x00000002,     /* data read */
    MCD_TRIG_TYPE_WRITE = 0x00000004,    /* data write */
    MCD_TRIG_TYPE_RW = 0x00000008,       /* data read or write */
    MCD_TRIG_TYPE_NOCYCLE = 0x00000010,  /* other core information */
    MCD_TRIG_TYPE_TRIG_BUS = 0x00000020, /* trigger bus value */
    MCD_TRIG_TYPE_COUNTER = 0x00000040,  /* trigger counter */
    MCD_TRIG_TYPE_CUSTOM = 0x00000080,   /* see mcd_trig_custom_st */
    MCD_TRIG_TYPE_CUSTOM_LO = 0x00010000,
    MCD_TRIG_TYPE_CUSTOM_HI = 0x40000000,
};

/* Trigger options (bit flags). */
typedef uint32_t mcd_trig_opt_et;
enum {
    MCD_TRIG_OPT_DEFAULT = 0x00000000,       /* the platform chooses */
    MCD_TRIG_OPT_IMPL_HARDWARE = 0x00000001, /* use a hardware resource */
    MCD_TRIG_OPT_IMPL_SOFTWARE = 0x00000002, /* patch the code */
    MCD_TRIG_OPT_OUT_OF_RANGE = 0x00000004,  /* fire outside the range */
    MCD_TRIG_OPT_DATA_IS_CONDITION = 0x00000008,
    MCD_TRIG_OPT_DATASIZE_IS_CONDITION = 0x00000010,
    MCD_TRIG_OPT_NOT_DATA = 0x00000020,
    MCD_TRIG_OPT_SIGNED_DATA = 0x00000040,
    MCD_TRIG_OPT_HW_THREAD_IS_CONDITION = 0x00000080,
    MCD_TRIG_OPT_NOT_HW_THREAD = 0x00000100,
    MCD_TRIG_OPT_SW_THREAD_IS_CONDITION = 0x00000200,
    MCD_TRIG_OPT_NOT_SW_THREAD = 0x00000400,
    MCD_TRIG_OPT_DATA_MUST_CHANGE = 0x00000800,
    MCD_TRIG_OPT_CORE_MODE_IS_CONDITION = 0x00020000,
    MCD_TRIG_OPT_STATE_IS_CONDITION = 0x00040000,
    MCD_TRIG_OPT_NOT = 0x00080000, /* negate the whole condition */
    MCD_TRIG_OPT_CUSTOM_LO = 0x00100000,
    MCD_TRIG_OPT_CUSTOM_HI = 0x40000000,
};

/*
 * Trigger actions (bit flags): a trigger structure holds exactly one.
 * Several take an argument in the structure's action_param.
 */
typedef uint32_t mcd_trig_action_et;
enum {
    MCD_TRIG_ACTION_DEFAULT = 0x00000000,    /* only mark as captured */
    MCD_TRIG_ACTION_DBG_DEBUG = 0x00000001,  /* stop this core */
    MCD_TRIG_ACTION_DBG_GLOBAL = 0x00000002, /* stop all cores */
    MCD_TRIG_ACTION_DBG_MONITOR = 0x00000004,
    MCD_TRIG_ACTION_TRIG_BUS_EVENT = 0x00000010,
    MCD_TRIG_ACTION_TRIG_BUS_SET = 0x00000020,
    MCD_TRIG_ACTION_TRIG_BUS_CLEAR = 0x00000040,
    MCD_TRIG_ACTION_TRACE_QUALIFY = 0x00000100,
    MCD_TRIG_ACTION_TRACE_QUALIFY_PROGRAM = 0x00000200,
    MCD_TRIG_ACTION_TRACE_QUALIFY_DATA = 0x00000400,
    MCD_TRIG_ACTION_TRACE_START = 0x00000800,
    MCD_TRIG_ACTION_TRACE_STOP = 0x00001000,
    MCD_TRIG_ACTION_TRACE_TRIGGER = 0x00002000,
    MCD_TRIG_ACTION_ANA_START_PERFM = 0x00010000,
    MCD_TRIG_ACTION_ANA_STOP_PERFM = 0x00020000,
    MCD_TRIG_ACTION_STATE_CHANGE = 0x00040000,
    MCD_TRIG_ACTION_COUNT_QUALIFY = 0x00080000,
    MCD_TRIG_ACTION_COUNT_START = 0x00100000,
    MCD_TRIG_ACTION_COUNT_STOP = 0x00200000,
    MCD_TRIG_ACTION_COUNT_RESTART = 0x00400000,
    MCD_TRIG_ACTION_CUSTOM_LO = 0x01000000,
    MCD_TRIG_ACTION_CUSTOM_HI = 0x40000000,
};

/* Direction of a transaction. */
typedef uint32_t mcd_tx_access_type_et;
enum {
    MCD_TX_AT_R = 0x00000001,  /* read */
    MCD_TX_AT_W = 0x00000002,  /* write */
    MCD_TX_AT_RW = 0x00000003, /* read, then write (atomic swap) */
    MCD_TX_AT_WR = 0x00000004, /* write, then read back (verify) */
};

/* Transaction options (bit flags). */
typedef uint32_t mcd_tx_access_opt_et;
enum {
    MCD_TX_OPT_DEFAULT = 0x00000000, /* the implementation decides */
    MCD_TX_OPT_SIDE_EFFECTS = 0x00000001,
    MCD_TX_OPT_NO_SIDE_EFFECTS = 0x00000002,
    MCD_TX_OPT_BURST_ACCESSES = 0x00000004,
    MCD_TX_OPT_NO_BURST_ACCESSES = 0x00000008,
    MCD_TX_OPT_ALTERNATE_PATH = 0x00000010,
    MCD_TX_OPT_PRIORITY_ACCESS = 0x00000020,
    MCD_TX_OPT_DCACHE_WRITE_THRU = 0x00000040,
    MCD_TX_OPT_CACHE_BYPASS = 0x00000080,
    MCD_TX_OPT_NOINCREMENT = 0x00000100, /* same address each time */
    /* Atomic with the next transaction; on the last one of a list, with
     * the first one of the next list on the same core connection. */
    MCD_TX_OPT_ATOMIC_WITH_NEXT = 0x00000200,
    MCD_TX_OPT_RESERVED_LO = 0x00000400,
    MCD_TX_OPT_RESERVED_HI = 0x00008000,
    MCD_TX_OPT_CUSTOM_LO = 0x00010000,
    MCD_TX_OPT_CUSTOM_HI = 0x40000000,
};

/* Unit of mcd_step_f. */
typedef uint32_t mcd_core_step_type_et;
enum {
    MCD_CORE_STEP_TYPE_CYCLES = 0x00000001,
    MCD_CORE_STEP_TYPE_INSTR = 0x00000002,
    MCD_CORE_STEP_TYPE_RESERVED_LO = 0x00000004,
    MCD_CORE_STEP_TYPE_RESERVED_HI = 0x000000FF,
    MCD_CORE_STEP_TYPE_CUSTOM_LO = 0x00000100,
    MCD_CORE_STEP_TYPE_CUSTOM_HI = 0x00000F00,
    MCD_CORE_STEP_TYPE_MAX_TYPES = 0x7FFFFFFF,
};

/* Execution state of a core. */
typedef uint32_t mcd_core_state_et;
enum {
    MCD_CORE_STATE_UNKNOWN = 0x00000000,
    MCD_CORE_STATE_RUNNING = 0x00000001,
    /* Halted, but not under debugger control. */
    MCD_CORE_STATE_HALTED = 0x00000002,
    /* In debug mode, under debugger control. */
    MCD_CORE_STATE_DEBUG = 0x00000003,
    MCD_CORE_STATE_CUSTOM_LO = 0x00000100,
    MCD_CORE_STATE_CUSTOM_HI = 0x00000800,
    MCD_CORE_STATE_MAX_STATES = 0x7FFFFFFF,
};

/* What happened since the last mcd_qry_state_f (bit flags). */
typedef uint32_t mcd_core_event_et;
enum {
    MCD_CORE_EVENT_NONE = 0x00000000,
    MCD_CORE_EVENT_MEMORY_CHANGE = 0x00000001,
    MCD_CORE_EVENT_REGISTER_CHANGE = 0x00000002,
    MCD_CORE_EVENT_TRACE_CHANGE = 0x00000004,
    MCD_CORE_EVENT_TRIGGER_CHANGE = 0x00000008,
    MCD_CORE_EVENT_STOPPED = 0x00000010,     /* stopped at least once */
    MCD_CORE_EVENT_CHL_PENDING = 0x00000020, /* target channel request */
    MCD_CORE_EVENT_CUSTOM_LO = 0x00010000,
    MCD_CORE_EVENT_CUSTOM_HI = 0x40000000,
};

/* Kind of a communication channel. */
typedef uint32_t mcd_chl_type_et;
enum {
    MCD_CHL_TYPE_COMMON = 0x00000001,
    MCD_CHL_TYPE_CONFIG = 0x00000002, /* configuration, e.g. analysis */
    MCD_CHL_TYPE_APPLI = 0x00000003,  /* to an application */
    MCD_CHL_TYPE_CUSTOM_LO = 0x00000100,
    MCD_CHL_TYPE_CUSTOM_HI = 0x00000F00,
};

/* Properties of a communication channel (bit flags). */
typedef uint32_t mcd_chl_attributes_et;
enum {
    MCD_CHL_AT_RCV = 0x00000001,        /* the tool can receive */
    MCD_CHL_AT_SND = 0x00000002,        /* the tool can send */
    MCD_CHL_AT_MEM_MAPPED = 0x00000040, /* buffer at msg_buffer_addr */
    MCD_CHL_AT_HAS_PRIO = 0x00000800,   /* prio is meaningful */
};

/* What a trace records. */
typedef uint32_t mcd_trace_type_et;
enum {
    MCD_TRACE_TYPE_UNKNOWN = 0x00000000,
    MCD_TRACE_TYPE_CORE = 0x00000001,  /* program flow seen by a core */
    MCD_TRACE_TYPE_BUS = 0x00000002,   /* a bus, not program flow */
    MCD_TRACE_TYPE_EVENT = 0x00000004, /* asynchronous logic signals */
    MCD_TRACE_TYPE_STAT = 0x00000008,  /* statistics, profiling */
    MCD_TRACE_TYPE_CUSTOM_LO = 0x00000100,
    MCD_TRACE_TYPE_CUSTOM_HI = 0x40000000,
};

/*
 * Frame format of a trace. The CORE_* formats use mcd_trace_data_core_st,
 * EVENT mcd_trace_data_event_st and STAT mcd_trace_data_stat_st.
 */
typedef uint32_t mcd_trace_format_et;
enum {
    MCD_TRACE_FORMAT_UNKNOWN = 0x00000000, /* not readable through the API */
    MCD_TRACE_FORMAT_CORE_FETCH = 0x00000001,
    MCD_TRACE_FORMAT_CORE_EXECUTE = 0x00000002,
    MCD_TRACE_FORMAT_CORE_FLOW_ICOUNT = 0x00000003,
    MCD_TRACE_FORMAT_CORE_FLOW_BCOUNT = 0x00000004,
    MCD_TRACE_FORMAT_CORE_FLOW_IPREDICATE = 0x00000005,
    MCD_TRACE_FORMAT_EVENT = 0x00000010,
    MCD_TRACE_FORMAT_STAT = 0x00000020,
    MCD_TRACE_FORMAT_CUSTOM_LO = 0x00000100,
    MCD_TRACE_FORMAT_CUSTOM_HI = 0x7FFFFFFF,
};

/* How a trace buffer fills (bit flags). */
typedef uint32_t mcd_trace_mode_et;
enum {
    MCD_TRACE_MODE_NOCHANGE = 0x00000000,
    MCD_TRACE_MODE_FIFO = 0x00000001,  /* circular */
    MCD_TRACE_MODE_STACK = 0x00000002, /* stop when full */
    MCD_TRACE_MODE_LEACH = 0x00000004, /* stop the target when nearly full */
    MCD_TRACE_MODE_PIPE = 0x00000008,  /* streamed through the API */
    MCD_TRACE_MODE_CUSTOM_LO = 0x00000100,
    MCD_TRACE_MODE_CUSTOM_HI = 0x40000000,
};

/* State of a trace; NOCHANGE and INIT are only set, never reported. */
typedef uint32_t mcd_trace_state_et;
enum {
    MCD_TRACE_STATE_NOCHANGE = 0x00000000,
    MCD_TRACE_STATE_DISABLE = 0x00000001, /* no resources */
    MCD_TRACE_STATE_OFF = 0x00000002,     /* ready, not recording */
    MCD_TRACE_STATE_ARM = 0x00000003,
    MCD_TRACE_STATE_TRIGGER = 0x00000004, /* in the post-trigger delay */
    MCD_TRACE_STATE_STOP = 0x00000005,
    MCD_TRACE_STATE_INIT = 0x00000010, /* clear the buffer, then OFF */
    MCD_TRACE_STATE_CUSTOM_LO = 0x00000100,
    MCD_TRACE_STATE_CUSTOM_HI = 0x7FFFFFFF,
};

/* Marks on a trace frame (bit flags). */
typedef uint32_t mcd_trace_marker_et;
enum {
    MCD_TRACE_MARKER_NONE = 0x00000000,
    MCD_TRACE_MARKER_RUN = 0x00000001,   /* the core started */
    MCD_TRACE_MARKER_DEBUG = 0x00000002, /* the core stopped */
    MCD_TRACE_MARKER_START = 0x00000004, /* a trigger started tracing */
    MCD_TRACE_MARKER_STOP = 0x00000008,
    MCD_TRACE_MARKER_ERROR = 0x00000010,
    MCD_TRACE_MARKER_GAP = 0x00000020, /* frames lost to bandwidth */
    MCD_TRACE_MARKER_CUSTOM_LO = 0x00000100,
    MCD_TRACE_MARKER_CUSTOM_HI = 0x40000000,
};

/* Kind of cycle a core or bus trace frame records. */
typedef uint32_t mcd_trace_cycle_et;
enum {
    MCD_TRACE_CYCLE_UNKNOWN = 0x00000000,
    MCD_TRACE_CYCLE_NONE = 0x00000001, /* only marker and time are valid */
    MCD_TRACE_CYCLE_EXECUTE = 0x00000002,
    MCD_TRACE_CYCLE_NOTEXECUTE = 0x00000003,
    MCD_TRACE_CYCLE_FETCH = 0x00000004,
    MCD_TRACE_CYCLE_READ = 0x00000005,
    MCD_TRACE_CYCLE_WRITE = 0x00000006,
    MCD_TRACE_CYCLE_OWNERSHIP = 0x00000007, /* e.g. a SW thread switch */
    MCD_TRACE_CYCLE_CUSTOM_LO = 0x00000100,
    MCD_TRACE_CYCLE_CUSTOM_HI = 0x7FFFFFFF,
};

/* ------------------------------------------------------------------------
 * Structures. Their layout is that of the natural x86_64 (and any LP64)
 * alignment with a 1-byte mcd_bool_t; the holes it leaves are implicit.
 */

/* An API version: requested by the tool, implemented by the target. */
typedef struct {
    uint16_t v_api_major;
    uint16_t v_api_minor;
    mcd_char_t author[MCD_API_IMP_VENDOR_LEN];
} mcd_api_version_st;

/* What mcd_initialize_f reports about the implementation. */
typedef struct {
    mcd_api_version_st v_api; /* API version implemented */
    uint16_t v_imp_major;
    uint16_t v_imp_minor;
    uint16_t v_imp_build;
    mcd_char_t vendor[MCD_API_IMP_VENDOR_LEN];
    mcd_char_t date[16]; /* build date, as __DATE__ gives it */
} mcd_impl_version_info_st;

/* Detail of the last call's outcome, from mcd_qry_error_info_f. */
typedef struct {
    mcd_return_et return_status;
    mcd_error_code_et error_code;
    mcd_error_event_et error_events; /* OR of mcd_error_event_et */
    mcd_char_t error_str[MCD_INFO_STR_LEN];
} mcd_error_info_st;

/* A running or installed server (simulator: system_instance, HW: acc_hw). */
typedef struct {
    mcd_char_t server[MCD_UNIQUE_NAME_LEN];
    mcd_char_t system_instance[MCD_UNIQUE_NAME_LEN];
    mcd_char_t acc_hw[MCD_UNIQUE_NAME_LEN];
} mcd_server_info_st;

/* A server connection; mcd_open_server_f allocates it. */
typedef struct {
    void *instance; /* private to the implementation */
    const mcd_char_t *host;
    const mcd_char_t *config_string;
} mcd_server_st;

/*
 * Names a system, a device or a core (system > device > core). Partly
 * filled, it selects a system or a device in the query functions.
 */
typedef struct {
    mcd_char_t host[MCD_HOSTNAME_LEN];
    uint32_t server_port;
    mcd_char_t server_key[MCD_KEY_LEN];
    mcd_char_t system_key[MCD_KEY_LEN];
    mcd_char_t device_key[MCD_KEY_LEN];     /* for locked devices */
    mcd_char_t system[MCD_UNIQUE_NAME_LEN]; /* "Real HW" for hardware */
    mcd_char_t system_instance[MCD_UNIQUE_NAME_LEN];
    mcd_char_t acc_hw[MCD_UNIQUE_NAME_LEN];
    uint32_t device_type; /* IEEE 1149.1 device id */
    mcd_char_t device[MCD_UNIQUE_NAME_LEN];
    uint32_t device_id;
    mcd_char_t core[MCD_UNIQUE_NAME_LEN];
    uint32_t core_type; /* architecture, as ELF e_machine */
    uint32_t core_id;
} mcd_core_con_info_st;

/* A core connection; mcd_open_core_f allocates it. */
typedef struct {
    void *instance; /* private; NULL only for system/device channels */
    const mcd_core_con_info_st *core_con_info;
} mcd_core_st;

/* A core mode (1..32); mode masks use bit (mode - 1). */
typedef struct {
    uint8_t core_mode;
    mcd_char_t name[MCD_CORE_MODE_NAME_LEN];
} mcd_core_mode_info_st;

/* A complete address; address counts bytes even if a MAU is wider. */
typedef struct {
    uint64_t address;
    uint32_t mem_space_id;
    uint32_t addr_space_id; /* meaning given by addr_space_type */
    mcd_addr_space_type_et addr_space_type;
} mcd_addr_st;

/* A memory space of a core; id 0 is reserved. */
typedef struct {
    uint32_t mem_space_id;
    mcd_char_t mem_space_name[MCD_MEM_SPACE_NAME_LEN];
    mcd_mem_type_et mem_type; /* OR of mcd_mem_type_et */
    uint32_t bits_per_mau;    /* 8 when byte addressable */
    uint8_t invariance;       /* bytes that keep their order in a word */
    mcd_endian_et endian;
    uint64_t min_addr;
    uint64_t max_addr;
    uint32_t num_mem_blocks;
    mcd_tx_access_opt_et supported_access_options;
    uint32_t core_mode_mask_read;  /* set bit: no read in that mode */
    uint32_t core_mode_mask_write; /* set bit: no write in that mode */
} mcd_memspace_st;

/* A memory block: a range of a memory space; id 0 is reserved. */
typedef struct {
    uint32_t mem_block_id;
    mcd_char_t mem_block_name[MCD_MEM_BLOCK_NAME_LEN];
    mcd_bool_t has_children;
    uint32_t parent_id; /* or MCD_MEM_BLOCK_NOPARENT */
    uint64_t start_addr;
    uint64_t end_addr;
    mcd_endian_et endian;
    uint32_t supported_au_sizes[MCD_MEM_AUSIZE_NUM]; /* in MAUs, 0: none */
    mcd_tx_access_opt_et supported_access_options;
    uint32_t core_mode_mask_read;
    uint32_t core_mode_mask_write;
} mcd_memblock_st;

/* A register group; id 0 is reserved. */
typedef struct {
    uint32_t reg_group_id;
    mcd_char_t reg_group_name[MCD_REG_NAME_LEN];
    uint32_t n_registers;
} mcd_register_group_st;

/* A register, addressed in memory or in a register memory space. */
typedef struct {
    mcd_addr_st addr;
    uint32_t reg_group_id;
    mcd_char_t regname[MCD_REG_NAME_LEN];
    uint32_t regsize; /* in bits */
    uint32_t core_mode_mask_read;
    uint32_t core_mode_mask_write;
    mcd_bool_t has_side_effects_read;
    mcd_bool_t has_side_effects_write;
    mcd_reg_type_et reg_type;
    uint32_t hw_thread_id; /* 0: not bound to a hardware thread */
} mcd_register_info_st;

/* Trigger capabilities of a core; a count of 0 means unknown. */
typedef struct {
    mcd_trig_type_et type;     /* OR of supported types */
    mcd_trig_opt_et option;    /* OR of supported options */
    mcd_trig_action_et action; /* OR of supported actions */
    uint32_t trig_number;
    uint32_t state_number;
    uint32_t counter_number;
    mcd_bool_t sw_breakpoints;
} mcd_trig_info_st;

/* A custom trigger usable through mcd_trig_custom_st; id 0 is reserved. */
typedef struct {
    uint32_t ctrig_id;
    mcd_char_t info_str[MCD_INFO_STR_LEN];
} mcd_ctrig_info_st;

/*
 * A complex core trigger (IP, READ, WRITE, RW or NOCYCLE). Every trigger
 * structure starts with struct_size, which tells them apart.
 */
typedef struct {
    uint32_t struct_size; /* sizeof this structure */
    mcd_trig_type_et type;
    mcd_trig_opt_et option;
    mcd_trig_action_et action;
    uint32_t action_param;
    mcd_bool_t modified; /* set when the target changed the trigger */
    uint32_t state_mask; /* set bit: inactive in that state */
    mcd_addr_st addr_start;
    uint64_t addr_range; /* 0: a single address */
    uint64_t data_start;
    uint64_t data_range; /* 0: a single value */
    uint64_t data_mask;  /* set bits are ignored */
    uint32_t data_size;  /* access size in bytes, 0: any */
    uint32_t hw_thread_id;
    uint64_t sw_thread_id;
    uint32_t core_mode_mask; /* set bit: inactive in that mode */
} mcd_trig_complex_core_st;

/* A simple core trigger: the first nine fields of the complex one. */
typedef struct {
    uint32_t struct_size;
    mcd_trig_type_et type;
    mcd_trig_opt_et option;
    mcd_trig_action_et action;
    uint32_t action_param;
    mcd_bool_t modified;
    uint32_t state_mask;
    mcd_addr_st addr_start;
    uint64_t addr_range;
} mcd_trig_simple_core_st;

/* A trigger on the trigger bus (type TRIG_BUS). */
typedef struct {
    uint32_t struct_size;
    mcd_trig_type_et type;
    mcd_trig_opt_et option;
    mcd_trig_action_et action;
    uint32_t action_param;
    mcd_bool_t modified;
    uint32_t state_mask;
    uint32_t trig_bus_value;
    uint32_t trig_bus_mask; /* set bits are ignored */
} mcd_trig_trig_bus_st;

/* A trigger counter (type COUNTER). */
typedef struct {
    uint32_t struct_size;
    mcd_trig_type_et type;
    mcd_trig_opt_et option;
    mcd_trig_action_et action;
    uint32_t action_param;
    mcd_bool_t modified;
    uint32_t state_mask;
    uint64_t count_value;
    uint64_t reload_value;
} mcd_trig_counter_st;

/* A custom trigger (type CUSTOM), described by an mcd_ctrig_info_st. */
typedef struct {
    uint32_t struct_size;
    mcd_trig_type_et type;
    mcd_trig_opt_et option;
    mcd_trig_action_et action;
    uint32_t action_param;
    mcd_bool_t modified;
    uint32_t state_mask;
    uint32_t ctrig_id;
    uint32_t ctrig_args[4];
} mcd_trig_custom_st;

/* State of one trigger, as sampled by mcd_qry_trig_set_state_f. */
typedef struct {
    mcd_bool_t active;
    mcd_bool_t captured; /* fired at least once */
    mcd_bool_t captured_valid;
    uint64_t count_value; /* counter triggers */
    mcd_bool_t count_valid;
} mcd_trig_state_st;

/* State of the trigger set of a core. */
typedef struct {
    mcd_bool_t active;
    uint32_t state; /* state of the trigger state machine */
    mcd_bool_t state_valid;
    uint32_t trig_bus;
    mcd_bool_t trig_bus_valid;
    mcd_bool_t trace; /* trace started or stopped */
    mcd_bool_t trace_valid;
    mcd_bool_t analysis; /* performance analysis started or stopped */
    mcd_bool_t analysis_valid;
} mcd_trig_set_state_st;

/*
 * One memory or register transaction. Memory data is in target byte
 * order, register data little endian.
 */
typedef struct {
    mcd_addr_st addr;
    mcd_tx_access_type_et access_type;
    mcd_tx_access_opt_et options;
    uint8_t access_width; /* bytes per access, 0: any */
    uint8_t core_mode;    /* 0: the most permissive */
    uint8_t *data;        /* caller's buffer of num_bytes bytes */
    uint32_t num_bytes;
    uint32_t num_bytes_ok; /* out: bytes transferred */
} mcd_tx_st;

/* A list of transactions for mcd_execute_txlist_f. */
typedef struct {
    mcd_tx_st *tx; /* num_tx entries */
    uint32_t num_tx;
    uint32_t num_tx_ok; /* out: transactions done without error */
} mcd_txlist_st;

/* Execution state of a core, from mcd_qry_state_f. */
typedef struct {
    mcd_core_state_et state;
    mcd_core_event_et event; /* OR of mcd_core_event_et */
    uint32_t hw_thread_id;   /* the thread that caused the stop */
    uint32_t trig_id;        /* the trigger that caused the stop */
    mcd_char_t stop_str[MCD_INFO_STR_LEN];
    mcd_char_t info_str[MCD_INFO_STR_LEN];
} mcd_core_state_st;

/* A reset class; class_vector has exactly one bit set. */
typedef struct {
    uint32_t class_vector;
    mcd_char_t info_str[MCD_INFO_STR_LEN];
} mcd_rst_info_st;

/* Setup of a communication channel. */
typedef struct {
    uint32_t chl_id; /* set by mcd_chl_open_f */
    mcd_chl_type_et type;
    mcd_chl_attributes_et attributes; /* OR of mcd_chl_attributes_et */
    uint32_t max_msg_len;
    mcd_addr_st msg_buffer_addr; /* memory-mapped channels */
    uint8_t prio;                /* 0 (highest) .. lowest priority */
} mcd_chl_st;

/* A trace: one source and sink; id 0 is reserved. */
typedef struct {
    uint32_t trace_id;
    mcd_char_t trace_name[MCD_INFO_STR_LEN];
    mcd_trace_type_et trace_type;
    mcd_trace_format_et trace_format;
    mcd_trace_mode_et trace_modes;  /* OR of supported modes */
    mcd_bool_t trace_no_timestamps; /* no global time */
    mcd_bool_t trace_shared;        /* buffer shared with other traces */
    mcd_bool_t trace_size_is_bytes; /* else size counts frames */
} mcd_trace_info_st;

/* State and settings of a trace. */
typedef struct {
    mcd_trace_state_et state;
    mcd_trace_mode_et mode;
    mcd_bool_t autoarm;           /* arm and stop with the core */
    mcd_bool_t wraparound;        /* FIFO wrapped or PIPE overflowed */
    uint64_t frames;              /* valid frames in the buffer */
    uint64_t count;               /* frames recorded, wraps included */
    uint64_t size;                /* capacity, in frames or bytes */
    uint64_t trigger_delay;       /* in: like size; out: frames elapsed */
    uint8_t timestamp_accuracy;   /* percent */
    mcd_bool_t timestamp_is_time; /* picoseconds, else cycles */
    uint32_t options;             /* implementation specific */
    mcd_bool_t modified;          /* the request was not met exactly */
    mcd_char_t info_str[MCD_INFO_STR_LEN];
} mcd_trace_state_st;

/* Frame of a core or bus trace (CORE_* formats). */
typedef struct {
    uint64_t timestamp; /* picoseconds or cycles */
    mcd_trace_marker_et marker;
    mcd_trace_cycle_et cycle;
    mcd_addr_st addr;
    uint64_t data;
    uint8_t data_width; /* bytes, 0 when data_mask is used */
    uint8_t data_mask;  /* valid bytes, 0 when data_width is used */
    uint16_t source;    /* e.g. hardware thread or bus initiator */
    uint32_t aux_info;
} mcd_trace_data_core_st;

/* Frame of an event trace: 256 channels, channel 0 in bit 0 of data[0]. */
typedef struct {
    uint64_t timestamp;
    mcd_trace_marker_et marker;
    uint32_t data[8];
} mcd_trace_data_event_st;

/* Frame of a statistics trace: 8 counters, -1 when not valid. */
typedef struct {
    uint64_t timestamp;
    mcd_trace_marker_et marker;
    uint64_t count[8];
} mcd_trace_data_stat_st;

/* ------------------------------------------------------------------------
 * Functions, in the order of the API (RPC UIDs 1..54 follow it).
 */

/*
 * Target initialization
 */

/** Agree on the API version; the target describes itself in impl_info. */
MCD_API_EXPORT mcd_return_et mcd_initialize_f(
    const mcd_api_version_st *version_req, mcd_impl_version_info_st *impl_info);

/** Close every server and core connection of this tool. */
MCD_API_EXPORT void mcd_exit_f(void);

/*
 * Server connection
 */

/**
 * List the running (running TRUE) or installed servers on host.
 * Count-then-fetch: *num_servers in = capacity of server_info, 0 = only
 * the total count; out = entries written or the total; start_index at or
 * past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_servers_f(
    const mcd_char_t *host, mcd_bool_t running, uint32_t start_index,
    uint32_t *num_servers, mcd_server_info_st *server_info);

/**
 * Connect to a server, claimed with system_key and chosen by the
 * whitespace-separated Key=value pairs of config_string. The target
 * allocates *server.
 */
MCD_API_EXPORT mcd_return_et mcd_open_server_f(
    const mcd_char_t *system_key, const mcd_char_t *config_string,
    mcd_server_st **server);

/** Close a server connection. */
MCD_API_EXPORT mcd_return_et mcd_close_server_f(const mcd_server_st *server);

/**
 * Change the configuration of an open server; values that cannot change
 * are ignored or approximated.
 */
MCD_API_EXPORT mcd_return_et mcd_set_server_config_f(
    const mcd_server_st *server, const mcd_char_t *config_string);

/**
 * Read the whole configuration string of a server. Size in/out:
 * *max_len in = size of config_string, out = length needed with the NUL.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_server_config_f(
    const mcd_server_st *server, uint32_t *max_len, mcd_char_t *config_string);

/*
 * Target system features
 */

/**
 * List the systems; only system_key, system and system_instance are set.
 * Count-then-fetch: *num_systems in = capacity, 0 = only the total count;
 * out = entries written or the total; start_index at or past the total is
 * MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_systems_f(
    uint32_t start_index, uint32_t *num_systems,
    mcd_core_con_info_st *system_con_info);

/**
 * List the devices of the system named by system and system_instance of
 * system_con_info. Count-then-fetch: *num_devices in = capacity, 0 = only
 * the total count; out = entries written or the total; start_index at or
 * past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_devices_f(
    const mcd_core_con_info_st *system_con_info, uint32_t start_index,
    uint32_t *num_devices, mcd_core_con_info_st *device_con_info);

/**
 * List the cores of a system or a device. Count-then-fetch: *num_cores
 * in = capacity, 0 = only the total count; out = entries written or the
 * total; start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_cores_f(
    const mcd_core_con_info_st *connection_info, uint32_t start_index,
    uint32_t *num_cores, mcd_core_con_info_st *core_con_info);

/**
 * List the modes of a core. Count-then-fetch: *num_modes in = capacity,
 * 0 = only the total count; out = entries written or the total;
 * start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_core_modes_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_modes,
    mcd_core_mode_info_st *core_mode_info);

/*
 * Core connection
 */

/**
 * Open a connection to the core that core_con_info names unambiguously.
 * The target allocates *core.
 */
MCD_API_EXPORT mcd_return_et mcd_open_core_f(
    const mcd_core_con_info_st *core_con_info, mcd_core_st **core);

/** Close a core connection. */
MCD_API_EXPORT mcd_return_et mcd_close_core_f(const mcd_core_st *core);

/**
 * Describe the outcome of the previous call on core, or of the previous
 * call without a core when core is NULL.
 */
MCD_API_EXPORT void mcd_qry_error_info_f(
    const mcd_core_st *core, mcd_error_info_st *error_info);

/**
 * Give the URL of the IP-XACT description of the device (the file scheme
 * at least). Size in/out: *url_length in = size of url, out = length of
 * the URL without the NUL; with url NULL, the size needed with the NUL.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_device_description_f(
    const mcd_core_st *core, mcd_char_t *url, uint32_t *url_length);

/**
 * Give the largest (and best) payload of one transaction list, in bytes;
 * at least MCD_GUARANTEED_MIN_PAYLOAD.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_max_payload_size_f(
    const mcd_core_st *core, uint32_t *max_payload);

/**
 * Give an OS handle (usually a socket) to wait on instead of polling;
 * 0xFFFFFFFF when there is none.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_input_handle_f(
    const mcd_core_st *core, uint32_t *input_handle);

/*
 * Memory spaces, blocks and overlays
 */

/**
 * List the memory spaces of a core. Count-then-fetch: *num_mem_spaces
 * in = capacity, 0 = only the total count; out = entries written or the
 * total; start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_mem_spaces_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_mem_spaces,
    mcd_memspace_st *mem_spaces);

/**
 * List the memory blocks of one memory space. Count-then-fetch:
 * *num_mem_blocks in = capacity, 0 = only the total count; out = entries
 * written or the total; start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_mem_blocks_f(
    const mcd_core_st *core, uint32_t mem_space_id, uint32_t start_index,
    uint32_t *num_mem_blocks, mcd_memblock_st *mem_blocks);

/**
 * List the ids of the overlays swapped in now. Count-then-fetch:
 * *num_active_overlays in = capacity, 0 = only the total count; out =
 * entries written or the total; start_index at or past the total is
 * MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_active_overlays_f(
    const mcd_core_st *core, uint32_t start_index,
    uint32_t *num_active_overlays, uint32_t *active_overlays);

/*
 * Registers
 */

/**
 * List the register groups of a core; with none defined, a single group 0
 * holding every register. Count-then-fetch: *num_reg_groups in =
 * capacity, 0 = only the total count; out = entries written or the total;
 * start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_reg_groups_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_reg_groups,
    mcd_register_group_st *reg_groups);

/**
 * List the registers of one group. Count-then-fetch: *num_regs in =
 * capacity, 0 = only the total count; out = entries written or the total;
 * start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_reg_map_f(
    const mcd_core_st *core, uint32_t reg_group_id, uint32_t start_index,
    uint32_t *num_regs, mcd_register_info_st *reg_info);

/**
 * List the ids of the registers a compound register is made of.
 * Count-then-fetch: *num_reg_ids in = capacity, 0 = only the total count;
 * out = entries written or the total; start_index at or past the total is
 * MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_reg_compound_f(
    const mcd_core_st *core, uint32_t compound_reg_id, uint32_t start_index,
    uint32_t *num_reg_ids, uint32_t *reg_id_array);

/*
 * Triggers
 */

/** Describe the trigger capabilities of a core. */
MCD_API_EXPORT mcd_return_et mcd_qry_trig_info_f(
    const mcd_core_st *core, mcd_trig_info_st *trig_info);

/**
 * List the custom triggers of a core. Count-then-fetch: *num_ctrigs in =
 * capacity, 0 = only the total count; out = entries written or the total;
 * start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_ctrigs_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_ctrigs,
    mcd_ctrig_info_st *ctrig_info);

/**
 * Create a trigger from one of the trigger structures, told apart by its
 * struct_size. An approximation is written back with modified TRUE.
 * *trig_id 0 means created but not addressable on its own.
 */
MCD_API_EXPORT mcd_return_et mcd_create_trig_f(
    const mcd_core_st *core, void *trig, uint32_t *trig_id);

/**
 * Read a trigger back. Size in: trig holds max_trig_size bytes; a larger
 * trigger is MCD_ERR_RESULT_TOO_LONG.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_trig_f(
    const mcd_core_st *core, uint32_t trig_id, uint32_t max_trig_size,
    void *trig);

/** Remove one trigger. */
MCD_API_EXPORT mcd_return_et mcd_remove_trig_f(
    const mcd_core_st *core, uint32_t trig_id);

/**
 * Give the state of one trigger, as sampled by the last
 * mcd_qry_trig_set_state_f, which must come first.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_trig_state_f(
    const mcd_core_st *core, uint32_t trig_id, mcd_trig_state_st *trig_state);

/** Download the trigger set to the hardware, or arm it again. */
MCD_API_EXPORT mcd_return_et mcd_activate_trig_set_f(const mcd_core_st *core);

/** Remove every trigger of a core. */
MCD_API_EXPORT mcd_return_et mcd_remove_trig_set_f(const mcd_core_st *core);

/**
 * List the ids of the triggers in the set. Count-then-fetch: *num_trigs
 * in = capacity, 0 = only the total count; out = entries written or the
 * total; start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_trig_set_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_trigs,
    uint32_t *trig_ids);

/**
 * Sample the state of the trigger set, and of each trigger for later
 * mcd_qry_trig_state_f calls, at one instant.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_trig_set_state_f(
    const mcd_core_st *core, mcd_trig_set_state_st *trig_state);

/*
 * Execution control
 */

/**
 * Run a list of memory and register transactions, blocking; it stops at
 * the first failure, and num_tx_ok and num_bytes_ok tell how far it got.
 */
MCD_API_EXPORT mcd_return_et mcd_execute_txlist_f(
    const mcd_core_st *core, mcd_txlist_st *txlist);

/** Start the core, or every core of the system when global is TRUE. */
MCD_API_EXPORT mcd_return_et mcd_run_f(
    const mcd_core_st *core, mcd_bool_t global);

/** Stop the core, or every core of the system when global is TRUE. */
MCD_API_EXPORT mcd_return_et mcd_stop_f(
    const mcd_core_st *core, mcd_bool_t global);

/**
 * Run until run_until_time: an absolute time when absolute_time is TRUE,
 * else a value of the core's system timer.
 */
MCD_API_EXPORT mcd_return_et mcd_run_until_f(
    const mcd_core_st *core, mcd_bool_t global, mcd_bool_t absolute_time,
    uint64_t run_until_time);

/** Give the target time elapsed, in picoseconds. */
MCD_API_EXPORT mcd_return_et mcd_qry_current_time_f(
    const mcd_core_st *core, uint64_t *current_time);

/** Step n_steps units of step_type, blocking. */
MCD_API_EXPORT mcd_return_et mcd_step_f(
    const mcd_core_st *core, mcd_bool_t global,
    mcd_core_step_type_et step_type, uint32_t n_steps);

/** Choose whether global run and stop requests act on this core. */
MCD_API_EXPORT mcd_return_et mcd_set_global_f(
    const mcd_core_st *core, mcd_bool_t enable);

/** Give the execution state of a core and the events since last asked. */
MCD_API_EXPORT mcd_return_et mcd_qry_state_f(
    const mcd_core_st *core, mcd_core_state_st *state);

/**
 * Run a command of the implementation. Size in: result_string holds
 * result_string_size bytes.
 */
MCD_API_EXPORT mcd_return_et mcd_execute_command_f(
    const mcd_core_st *core, const mcd_char_t *command_string,
    uint32_t result_string_size, mcd_char_t *result_string);

/*
 * Reset
 */

/** Give the reset classes: bit i set when class i exists. */
MCD_API_EXPORT mcd_return_et mcd_qry_rst_classes_f(
    const mcd_core_st *core, uint32_t *rst_class_vector);

/** Describe reset class rst_class (a bit index, 0..31). */
MCD_API_EXPORT mcd_return_et mcd_qry_rst_class_info_f(
    const mcd_core_st *core, uint8_t rst_class, mcd_rst_info_st *rst_info);

/**
 * Issue the resets of rst_class_vector together; with rst_and_halt TRUE,
 * halt the core afterwards.
 */
MCD_API_EXPORT mcd_return_et mcd_rst_f(
    const mcd_core_st *core, uint32_t rst_class_vector,
    mcd_bool_t rst_and_halt);

/*
 * Communication channels
 */

/**
 * Open a channel as channel requests; the accepted setup is written back
 * (chl_id at least; max_msg_len and prio may change).
 */
MCD_API_EXPORT mcd_return_et mcd_chl_open_f(
    const mcd_core_st *core, mcd_chl_st *channel);

/** Send msg_len bytes on a channel. */
MCD_API_EXPORT mcd_return_et mcd_send_msg_f(
    const mcd_core_st *core, const mcd_chl_st *channel, uint32_t msg_len,
    const uint8_t *msg);

/**
 * Receive a message, waiting at most timeout milliseconds. Size in/out:
 * *msg_len in = size of msg, out = bytes received.
 */
MCD_API_EXPORT mcd_return_et mcd_receive_msg_f(
    const mcd_core_st *core, const mcd_chl_st *channel, uint32_t timeout,
    uint32_t *msg_len, uint8_t *msg);

/** Reset a channel, e.g. one that hangs. */
MCD_API_EXPORT mcd_return_et mcd_chl_reset_f(
    const mcd_core_st *core, const mcd_chl_st *channel);

/** Close a channel. */
MCD_API_EXPORT mcd_return_et mcd_chl_close_f(
    const mcd_core_st *core, const mcd_chl_st *channel);

/*
 * Trace
 */

/**
 * List the traces of a core. Count-then-fetch: *num_traces in = capacity,
 * 0 = only the total count; out = entries written or the total;
 * start_index at or past the total is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_qry_traces_f(
    const mcd_core_st *core, uint32_t start_index, uint32_t *num_traces,
    mcd_trace_info_st *trace_info);

/** Give the state of a trace. */
MCD_API_EXPORT mcd_return_et mcd_qry_trace_state_f(
    const mcd_core_st *core, uint32_t trace_id, mcd_trace_state_st *state);

/**
 * Apply the settings in state to a trace and write back what is in force,
 * with modified set when that differs from the request.
 */
MCD_API_EXPORT mcd_return_et mcd_set_trace_state_f(
    const mcd_core_st *core, uint32_t trace_id, mcd_trace_state_st *state);

/**
 * Read trace frames, oldest first at start_index 0, into trace_data, an
 * array of frames of trace_data_size bytes each (the frame structure
 * given by the trace format). Count-then-fetch: *num_frames in =
 * capacity, 0 = only the number of frames available; out = frames
 * written or that number; start_index at or past it is MCD_ERR_PARAM.
 */
MCD_API_EXPORT mcd_return_et mcd_read_trace_f(
    const mcd_core_st *core, uint32_t trace_id, uint64_t start_index,
    uint32_t *num_frames, uint32_t trace_data_size, void *trace_data);

#ifdef __cplusplus
}
#endif

#endif /* MCD_API_H */
