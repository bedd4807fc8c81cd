/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interface of the x86 interpreter of mshv_sim: it runs guest code
 * of a simulated virtual processor one instruction at a time and stops at
 * everything the hypervisor has to handle (memory intercepts, port I/O,
 * CPUID, MSRs, HLT, exceptions). It is pure: no locks, no allocation, no
 * sleeping; all guest memory goes through struct mshv_sim_x86_mem_ops.
 */
#ifndef _MSHV_SIM_X86_H
#define _MSHV_SIM_X86_H

#include <linux/bits.h>
#include <linux/types.h>

/**
 * enum mshv_sim_access - kind of a guest memory access
 * @MSHV_SIM_ACCESS_READ: data read; needs HV_MAP_GPA_READABLE
 * @MSHV_SIM_ACCESS_WRITE: data write; needs HV_MAP_GPA_WRITABLE
 * @MSHV_SIM_ACCESS_EXECUTE: instruction fetch; needs
 *	HV_MAP_GPA_KERNEL_EXECUTABLE or HV_MAP_GPA_USER_EXECUTABLE
 */
enum mshv_sim_access {
	MSHV_SIM_ACCESS_READ,
	MSHV_SIM_ACCESS_WRITE,
	MSHV_SIM_ACCESS_EXECUTE,
};

/**
 * enum mshv_sim_fault_reason - why a guest access stopped
 * @MSHV_SIM_GPA_UNMAPPED: nothing is mapped at the GPA
 * @MSHV_SIM_GPA_NO_ACCESS: the GPA is mapped with HV_MAP_GPA_NO_ACCESS
 * @MSHV_SIM_GPA_DENIED: the GPA is mapped without the access needed
 */
enum mshv_sim_fault_reason {
	MSHV_SIM_GPA_UNMAPPED,
	MSHV_SIM_GPA_NO_ACCESS,
	MSHV_SIM_GPA_DENIED,
};

/**
 * struct mshv_sim_gpa_fault - a guest access the SLAT stopped (an
 *	intercept the parent would receive)
 * @gpa: the first byte address that could not be accessed
 * @access: kind of the access
 * @reason: why it stopped
 */
struct mshv_sim_gpa_fault {
	u64 gpa;
	enum mshv_sim_access access;
	enum mshv_sim_fault_reason reason;
};

/**
 * enum mshv_sim_x86_sreg - segment registers, in x86 encoding order
 * @MSHV_SIM_X86_ES: ES
 * @MSHV_SIM_X86_CS: CS
 * @MSHV_SIM_X86_SS: SS
 * @MSHV_SIM_X86_DS: DS
 * @MSHV_SIM_X86_FS: FS
 * @MSHV_SIM_X86_GS: GS
 * @MSHV_SIM_X86_NR_SREGS: number of segment registers
 */
enum mshv_sim_x86_sreg {
	MSHV_SIM_X86_ES,
	MSHV_SIM_X86_CS,
	MSHV_SIM_X86_SS,
	MSHV_SIM_X86_DS,
	MSHV_SIM_X86_FS,
	MSHV_SIM_X86_GS,
	MSHV_SIM_X86_NR_SREGS,
};

/**
 * enum mshv_sim_x86_gpr - general purpose registers, in x86 encoding order
 * @MSHV_SIM_X86_RAX: RAX
 * @MSHV_SIM_X86_RCX: RCX
 * @MSHV_SIM_X86_RDX: RDX
 * @MSHV_SIM_X86_RBX: RBX
 * @MSHV_SIM_X86_RSP: RSP
 * @MSHV_SIM_X86_RBP: RBP
 * @MSHV_SIM_X86_RSI: RSI
 * @MSHV_SIM_X86_RDI: RDI
 * @MSHV_SIM_X86_R8: R8; R9 to R15 follow
 * @MSHV_SIM_X86_NR_GPRS: number of general purpose registers
 */
enum mshv_sim_x86_gpr {
	MSHV_SIM_X86_RAX,
	MSHV_SIM_X86_RCX,
	MSHV_SIM_X86_RDX,
	MSHV_SIM_X86_RBX,
	MSHV_SIM_X86_RSP,
	MSHV_SIM_X86_RBP,
	MSHV_SIM_X86_RSI,
	MSHV_SIM_X86_RDI,
	MSHV_SIM_X86_R8,
	MSHV_SIM_X86_NR_GPRS = 16,
};

/* RFLAGS bits */
#define MSHV_SIM_X86_FLAG_CF	BIT_ULL(0)
#define MSHV_SIM_X86_FLAG_FIXED	BIT_ULL(1)
#define MSHV_SIM_X86_FLAG_PF	BIT_ULL(2)
#define MSHV_SIM_X86_FLAG_AF	BIT_ULL(4)
#define MSHV_SIM_X86_FLAG_ZF	BIT_ULL(6)
#define MSHV_SIM_X86_FLAG_SF	BIT_ULL(7)
#define MSHV_SIM_X86_FLAG_TF	BIT_ULL(8)
#define MSHV_SIM_X86_FLAG_IF	BIT_ULL(9)
#define MSHV_SIM_X86_FLAG_DF	BIT_ULL(10)
#define MSHV_SIM_X86_FLAG_OF	BIT_ULL(11)
#define MSHV_SIM_X86_FLAG_IOPL	(3ULL << 12)
#define MSHV_SIM_X86_FLAG_NT	BIT_ULL(14)
#define MSHV_SIM_X86_FLAG_RF	BIT_ULL(16)
#define MSHV_SIM_X86_FLAG_VM	BIT_ULL(17)
#define MSHV_SIM_X86_FLAG_AC	BIT_ULL(18)
#define MSHV_SIM_X86_FLAG_VIF	BIT_ULL(19)
#define MSHV_SIM_X86_FLAG_VIP	BIT_ULL(20)
#define MSHV_SIM_X86_FLAG_ID	BIT_ULL(21)
/* The six arithmetic status flags */
#define MSHV_SIM_X86_FLAGS_ARITH					\
	(MSHV_SIM_X86_FLAG_CF | MSHV_SIM_X86_FLAG_PF |			\
	 MSHV_SIM_X86_FLAG_AF | MSHV_SIM_X86_FLAG_ZF |			\
	 MSHV_SIM_X86_FLAG_SF | MSHV_SIM_X86_FLAG_OF)

/* Control register and EFER bits the interpreter looks at */
#define MSHV_SIM_X86_CR0_PE	BIT_ULL(0)
#define MSHV_SIM_X86_CR0_TS	BIT_ULL(3)
#define MSHV_SIM_X86_CR0_WP	BIT_ULL(16)
#define MSHV_SIM_X86_CR0_PG	BIT_ULL(31)
#define MSHV_SIM_X86_CR4_TSD	BIT_ULL(2)
#define MSHV_SIM_X86_CR4_DE	BIT_ULL(3)
#define MSHV_SIM_X86_CR4_PSE	BIT_ULL(4)
#define MSHV_SIM_X86_CR4_PAE	BIT_ULL(5)
#define MSHV_SIM_X86_CR4_LA57	BIT_ULL(12)
#define MSHV_SIM_X86_CR4_OSXSAVE	BIT_ULL(18)
#define MSHV_SIM_X86_CR4_SMEP	BIT_ULL(20)
#define MSHV_SIM_X86_CR4_SMAP	BIT_ULL(21)
#define MSHV_SIM_X86_EFER_LME	BIT_ULL(8)
#define MSHV_SIM_X86_EFER_LMA	BIT_ULL(10)
#define MSHV_SIM_X86_EFER_NXE	BIT_ULL(11)

/* Segment attribute bits (TLFS HV_X64_SEGMENT_REGISTER order) */
#define MSHV_SIM_X86_SEG_TYPE	0x000f
#define MSHV_SIM_X86_SEG_S	BIT(4)
#define MSHV_SIM_X86_SEG_DPL	0x0060
#define MSHV_SIM_X86_SEG_P	BIT(7)
#define MSHV_SIM_X86_SEG_AVL	BIT(12)
#define MSHV_SIM_X86_SEG_L	BIT(13)
#define MSHV_SIM_X86_SEG_DB	BIT(14)
#define MSHV_SIM_X86_SEG_G	BIT(15)

/* Exception vectors */
#define MSHV_SIM_X86_DE		0
#define MSHV_SIM_X86_DB		1
#define MSHV_SIM_X86_BP		3
#define MSHV_SIM_X86_OF		4
#define MSHV_SIM_X86_UD		6
#define MSHV_SIM_X86_NM		7
#define MSHV_SIM_X86_DF		8
#define MSHV_SIM_X86_TS		10
#define MSHV_SIM_X86_NP		11
#define MSHV_SIM_X86_SS_VEC	12
#define MSHV_SIM_X86_GP		13
#define MSHV_SIM_X86_PF		14

/* #PF error code bits */
#define MSHV_SIM_X86_PFERR_P	BIT(0)
#define MSHV_SIM_X86_PFERR_W	BIT(1)
#define MSHV_SIM_X86_PFERR_U	BIT(2)
#define MSHV_SIM_X86_PFERR_RSVD	BIT(3)
#define MSHV_SIM_X86_PFERR_I	BIT(4)

/**
 * struct mshv_sim_x86_seg - a segment register (TLFS HV_X64_SEGMENT_REGISTER)
 * @base: linear base address
 * @limit: byte-granular limit
 * @selector: selector
 * @attributes: type:4 s:1 dpl:2 p:1 reserved:4 avl:1 l:1 db:1 g:1, from
 *	bit 0 up (MSHV_SIM_X86_SEG_*)
 */
struct mshv_sim_x86_seg {
	u64 base;
	u32 limit;
	u16 selector;
	u16 attributes;
};

/**
 * struct mshv_sim_x86_table - a descriptor table register (GDTR, IDTR)
 * @base: linear base address
 * @limit: limit in bytes
 */
struct mshv_sim_x86_table {
	u64 base;
	u16 limit;
};

/**
 * struct mshv_sim_x86_cpu - architectural state of one virtual processor
 * @gpr: general purpose registers, indexed by enum mshv_sim_x86_gpr
 * @rip: instruction pointer
 * @rflags: flags (MSHV_SIM_X86_FLAG_*)
 * @seg: segment registers, indexed by enum mshv_sim_x86_sreg
 * @tr: task register (its base locates the 64-bit TSS: RSP0-2, IST)
 * @ldtr: LDT register
 * @gdtr: GDT register
 * @idtr: IDT register (the IVT in real mode)
 * @cr0: CR0
 * @cr2: CR2 (never written by a #PF exit: the faulting address is in
 *	the exit; the caller sets CR2 when it delivers the #PF)
 * @cr3: CR3
 * @cr4: CR4
 * @cr8: CR8 (task priority, 4 bits)
 * @efer: EFER MSR
 * @dr: debug registers DR0-DR3 (stored; no breakpoint fires)
 * @dr6: DR6
 * @dr7: DR7
 * @xcr0: XCR0, the enabled xsave features (HV_X64_REGISTER_XFEM)
 * @xcr0_supported: the XCR0 bits XSETBV may set; the caller sets it
 * @interrupt_shadow: set for one instruction after STI (with IF clear
 *	before it), MOV SS and POP SS
 * @nmi_masked: an NMI was delivered and no IRET has ended it yet
 */
struct mshv_sim_x86_cpu {
	u64 gpr[MSHV_SIM_X86_NR_GPRS];
	u64 rip;
	u64 rflags;
	struct mshv_sim_x86_seg seg[MSHV_SIM_X86_NR_SREGS];
	struct mshv_sim_x86_seg tr;
	struct mshv_sim_x86_seg ldtr;
	struct mshv_sim_x86_table gdtr;
	struct mshv_sim_x86_table idtr;
	u64 cr0;
	u64 cr2;
	u64 cr3;
	u64 cr4;
	u64 cr8;
	u64 efer;
	u64 dr[4];
	u64 dr6;
	u64 dr7;
	u64 xcr0;
	u64 xcr0_supported;
	bool interrupt_shadow;
	bool nmi_masked;
};

/**
 * struct mshv_sim_x86_mem_ops - guest physical memory of the processor
 * @read: read @len bytes at guest physical address @gpa into @buf for an
 *	access of kind @acc. Never crosses a 4 KiB page. Returns 0, or fills
 *	@fault and returns -EFAULT.
 * @write: write @len bytes from @buf at @gpa; same rules.
 */
struct mshv_sim_x86_mem_ops {
	int (*read)(void *ctx, u64 gpa, void *buf, u32 len,
		    enum mshv_sim_access acc, struct mshv_sim_gpa_fault *fault);
	int (*write)(void *ctx, u64 gpa, const void *buf, u32 len,
		     struct mshv_sim_gpa_fault *fault);
};

/**
 * enum mshv_sim_x86_exit_reason - why mshv_sim_x86_run() stopped
 * @MSHV_SIM_X86_EXIT_BUDGET: ran the instructions it was allowed to
 * @MSHV_SIM_X86_EXIT_GPA: an access stopped at the SLAT; the instruction
 *	was not executed
 * @MSHV_SIM_X86_EXIT_IO: IN, OUT, INS or OUTS (any REP); not executed
 * @MSHV_SIM_X86_EXIT_HLT: HLT was executed; RIP is past it
 * @MSHV_SIM_X86_EXIT_CPUID: CPUID; not executed
 * @MSHV_SIM_X86_EXIT_RDMSR: RDMSR; not executed, ECX holds the MSR
 * @MSHV_SIM_X86_EXIT_WRMSR: WRMSR; not executed
 * @MSHV_SIM_X86_EXIT_EXCEPTION: the instruction raised an exception, which
 *	was not delivered; the state is as the architecture leaves it for a
 *	fault (RIP at the instruction; the #PF address is in the exit)
 * @MSHV_SIM_X86_EXIT_UNSUPPORTED: an encoding the interpreter does not
 *	implement; not executed
 * @MSHV_SIM_X86_EXIT_TRIPLE_FAULT: delivering #DF raised another exception
 *	(mshv_sim_x86_deliver() only); the processor would shut down
 * @MSHV_SIM_X86_EXIT_RDTSC: RDTSC; not executed (the time stamp counter
 *	is the hypervisor's)
 * @MSHV_SIM_X86_EXIT_PAUSE: PAUSE was executed; RIP is past it (the
 *	hypervisor looks for spin loops)
 * @MSHV_SIM_X86_EXIT_VMCALL: VMCALL, the hypercall instruction, at CPL 0
 *	in protected mode; not executed
 */
enum mshv_sim_x86_exit_reason {
	MSHV_SIM_X86_EXIT_BUDGET,
	MSHV_SIM_X86_EXIT_GPA,
	MSHV_SIM_X86_EXIT_IO,
	MSHV_SIM_X86_EXIT_HLT,
	MSHV_SIM_X86_EXIT_CPUID,
	MSHV_SIM_X86_EXIT_RDMSR,
	MSHV_SIM_X86_EXIT_WRMSR,
	MSHV_SIM_X86_EXIT_EXCEPTION,
	MSHV_SIM_X86_EXIT_UNSUPPORTED,
	MSHV_SIM_X86_EXIT_TRIPLE_FAULT,
	MSHV_SIM_X86_EXIT_RDTSC,
	MSHV_SIM_X86_EXIT_PAUSE,
	MSHV_SIM_X86_EXIT_VMCALL,
};

/**
 * struct mshv_sim_x86_exit_gpa - details of an access stopped at the SLAT
 * @gpa: first guest physical address that could not be accessed
 * @gva: linear address of that byte, if @gva_valid
 * @gva_valid: @gva is meaningful (false for page-table reads)
 * @access: kind of the access
 * @reason: why the SLAT stopped it
 */
struct mshv_sim_x86_exit_gpa {
	u64 gpa;
	u64 gva;
	bool gva_valid;
	enum mshv_sim_access access;
	enum mshv_sim_fault_reason reason;
};

/**
 * struct mshv_sim_x86_exit_io - details of a port I/O instruction
 * @port: port number (imm8 or DX)
 * @size: access size: 1, 2 or 4
 * @write: OUT or OUTS
 * @string: INS or OUTS
 * @rep: with a REP prefix
 * @data: AL, AX or EAX for OUT; 0 otherwise
 */
struct mshv_sim_x86_exit_io {
	u16 port;
	u8 size;
	bool write;
	bool string;
	bool rep;
	u32 data;
};

/**
 * struct mshv_sim_x86_exit_exception - an exception that was not delivered
 * @vector: exception vector
 * @has_error_code: the exception pushes an error code
 * @error_code: the error code
 * @cr2: faulting linear address (#PF)
 */
struct mshv_sim_x86_exit_exception {
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 cr2;
};

/**
 * struct mshv_sim_x86_exit - why and where the interpreter stopped
 * @reason: the exit reason
 * @insn_len: length of the stopped instruction (0 if its fetch stopped or
 *	it could not be decoded far enough)
 * @insn_bytes: the bytes fetched for it
 * @insn_byte_count: number of valid bytes in @insn_bytes
 * @gpa: for MSHV_SIM_X86_EXIT_GPA
 * @io: for MSHV_SIM_X86_EXIT_IO
 * @exception: for MSHV_SIM_X86_EXIT_EXCEPTION
 */
struct mshv_sim_x86_exit {
	enum mshv_sim_x86_exit_reason reason;
	u8 insn_len;
	u8 insn_bytes[16];
	u8 insn_byte_count;
	union {
		struct mshv_sim_x86_exit_gpa gpa;
		struct mshv_sim_x86_exit_io io;
		struct mshv_sim_x86_exit_exception exception;
	};
};

/**
 * enum mshv_sim_x86_mode - execution mode of the processor
 * @MSHV_SIM_X86_MODE_REAL: real mode (CR0.PE clear)
 * @MSHV_SIM_X86_MODE_PROT16: protected mode, 16-bit code segment
 * @MSHV_SIM_X86_MODE_PROT32: protected mode, 32-bit code segment
 * @MSHV_SIM_X86_MODE_COMPAT: IA-32e compatibility mode (CS.L clear; the
 *	default sizes follow CS.DB)
 * @MSHV_SIM_X86_MODE_LONG64: 64-bit mode
 */
enum mshv_sim_x86_mode {
	MSHV_SIM_X86_MODE_REAL,
	MSHV_SIM_X86_MODE_PROT16,
	MSHV_SIM_X86_MODE_PROT32,
	MSHV_SIM_X86_MODE_COMPAT,
	MSHV_SIM_X86_MODE_LONG64,
};

/* Longest x86 instruction */
#define MSHV_SIM_X86_MAX_INSN_LEN	15

/**
 * struct mshv_sim_x86_insn - a decoded instruction
 * @len: length in bytes
 * @map: opcode map: 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A
 * @opcode: the opcode byte within @map
 * @op_size: operand size in bytes (2, 4 or 8; byte forms use 1 themselves)
 * @addr_size: address size in bytes (2, 4 or 8)
 * @rex: the REX prefix, 0 if none
 * @rep: 0xf3 (REP/REPE) or 0xf2 (REPNE) if present (the last one wins), or 0
 * @lock: LOCK prefix present
 * @opsize_prefix: 66 prefix present
 * @seg: segment override (enum mshv_sim_x86_sreg), or -1
 * @vex: a VEX, XOP or EVEX encoded instruction (never executed)
 * @invalid: the opcode is invalid in this mode (#UD)
 * @has_modrm: a ModRM byte follows the opcode
 * @modrm: the ModRM byte
 * @mod: ModRM.mod
 * @reg: ModRM.reg, extended by REX.R
 * @rm: ModRM.rm, extended by REX.B (or the SIB base, see @has_sib)
 * @has_sib: a SIB byte follows the ModRM byte
 * @base: SIB base register (extended by REX.B), or -1 for none
 * @index: SIB index register (extended by REX.X), or -1 for none
 * @scale: SIB scale shift (0-3)
 * @rip_relative: the memory operand is RIP-relative
 * @disp_size: displacement size in bytes (0, 1, 2 or 4)
 * @disp: sign-extended displacement
 * @imm_size: size of the first immediate (0, 1, 2, 4 or 8)
 * @imm: first immediate, zero-extended
 * @imm2: second immediate (selector of a far pointer, ENTER level)
 */
struct mshv_sim_x86_insn {
	u8 len;
	u8 map;
	u8 opcode;
	u8 op_size;
	u8 addr_size;
	u8 rex;
	u8 rep;
	bool lock;
	bool opsize_prefix;
	s8 seg;
	bool vex;
	bool invalid;
	bool has_modrm;
	u8 modrm;
	u8 mod;
	u8 reg;
	u8 rm;
	bool has_sib;
	s8 base;
	s8 index;
	u8 scale;
	bool rip_relative;
	u8 disp_size;
	s32 disp;
	u8 imm_size;
	u64 imm;
	u16 imm2;
};

/**
 * struct mshv_sim_x86_walk_req - a translation of a linear address
 * @la: the linear address
 * @acc: kind of the access
 * @check: check the access rights of the access; without it the walk
 *	only translates (present and reserved bits are still checked)
 * @user: a user-mode access (as at CPL 3); otherwise supervisor-mode
 * @smap: a supervisor-mode data access to a user page is refused when
 *	CR4.SMAP is set (as with RFLAGS.AC clear)
 * @smep: a supervisor-mode fetch from a user page is refused when
 *	CR4.SMEP is set
 * @no_1g_pages: 1 GiB pages are not supported: a PDPTE with PS set has a
 *	reserved bit set
 * @set_ad: once the translation succeeded, set the accessed bit of every
 *	paging-structure entry used, and the dirty bit of the page for a
 *	write
 */
struct mshv_sim_x86_walk_req {
	u64 la;
	enum mshv_sim_access acc;
	bool check;
	bool user;
	bool smap;
	bool smep;
	bool no_1g_pages;
	bool set_ad;
};

/**
 * enum mshv_sim_x86_walk_status - the outcome of a page walk
 * @MSHV_SIM_X86_WALK_OK: translated
 * @MSHV_SIM_X86_WALK_NOT_PRESENT: an entry (or the PAE PDPTE) is not
 *	present, or the address is not canonical for the paging mode
 * @MSHV_SIM_X86_WALK_RESERVED: an entry has a reserved bit set
 * @MSHV_SIM_X86_WALK_PROTECTION: the access rights refuse the access
 * @MSHV_SIM_X86_WALK_GPA: reading a paging-structure entry, or setting
 *	its accessed or dirty bit, stopped at the SLAT
 */
enum mshv_sim_x86_walk_status {
	MSHV_SIM_X86_WALK_OK,
	MSHV_SIM_X86_WALK_NOT_PRESENT,
	MSHV_SIM_X86_WALK_RESERVED,
	MSHV_SIM_X86_WALK_PROTECTION,
	MSHV_SIM_X86_WALK_GPA,
};

/**
 * struct mshv_sim_x86_walk - the result of a page walk
 * @gpa: the guest physical address (MSHV_SIM_X86_WALK_OK)
 * @page_shift: log2 of the size of the page that maps it: 12, 21, 22
 *	or 30 (32 with paging disabled)
 * @error_code: the #PF error code of a failed walk (MSHV_SIM_X86_PFERR_*)
 * @fault: the SLAT stop (MSHV_SIM_X86_WALK_GPA)
 */
struct mshv_sim_x86_walk {
	u64 gpa;
	u8 page_shift;
	u32 error_code;
	struct mshv_sim_gpa_fault fault;
};

enum mshv_sim_x86_walk_status
mshv_sim_x86_walk(const struct mshv_sim_x86_cpu *cpu,
		  const struct mshv_sim_x86_mem_ops *ops, void *ctx,
		  const struct mshv_sim_x86_walk_req *req,
		  struct mshv_sim_x86_walk *res);
int mshv_sim_x86_run(struct mshv_sim_x86_cpu *cpu,
		     const struct mshv_sim_x86_mem_ops *ops, void *ctx,
		     u32 max_insns, struct mshv_sim_x86_exit *exit);
int mshv_sim_x86_deliver(struct mshv_sim_x86_cpu *cpu,
			 const struct mshv_sim_x86_mem_ops *ops, void *ctx,
			 u8 vector, bool has_error_code, u32 error_code,
			 struct mshv_sim_x86_exit *exit);
void mshv_sim_x86_complete_in(struct mshv_sim_x86_cpu *cpu,
			      const struct mshv_sim_x86_exit *exit, u32 value);
void mshv_sim_x86_skip(struct mshv_sim_x86_cpu *cpu,
		       const struct mshv_sim_x86_exit *exit);
enum mshv_sim_x86_mode mshv_sim_x86_mode(const struct mshv_sim_x86_cpu *cpu);
int mshv_sim_x86_decode(const u8 *bytes, u32 len, enum mshv_sim_x86_mode mode,
			struct mshv_sim_x86_insn *insn);

#endif /* _MSHV_SIM_X86_H */
