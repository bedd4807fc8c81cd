// SPDX-License-Identifier: GPL-2.0
/*
 * x86 interpreter of mshv_sim, the test-only model of the Hyper-V
 * hypervisor. It stands in for the virtual processors of child partitions:
 * mshv_sim_x86_run() executes guest code from a struct mshv_sim_x86_cpu
 * until something needs the hypervisor (an intercept), and reports it in a
 * struct mshv_sim_x86_exit.
 *
 * Written from the architecture manuals (opcode maps, flag definitions,
 * descriptor and page-table formats). Simplifications, by design:
 *  - no segment limit or type checks on data accesses (only canonical
 *    checks in 64-bit mode); no alignment checks; the accessed bits of
 *    descriptors and the A/D bits of guest page tables are never set by
 *    guest accesses;
 *  - no TLB: every access walks the guest page tables (4- and 5-level
 *    long mode with 4 KiB, 2 MiB and 1 GiB pages; PAE and 32-bit paging
 *    as well) with mshv_sim_x86_walk(), which HvTranslateVirtualAddress
 *    shares; reserved bits, SMEP and SMAP are checked, protection keys
 *    are not; canonical checks before the walk assume 48-bit addresses;
 *  - port I/O permission: CPL > IOPL raises #GP(0), the TSS I/O bitmap is
 *    not consulted;
 *  - no single-step traps (TF), no debug registers, no x87/SSE/AVX (their
 *    encodings exit as unsupported), no task switches, no call gates,
 *    no virtual-8086 mode;
 *  - an access split over two pages is translated completely before any
 *    byte is written, so a #PF leaves memory unchanged; but if the SLAT
 *    stops the second part of the write, the first part has been written
 *    (restarting the instruction writes the same bytes again).
 *
 * Every instruction either retires completely or leaves the processor
 * state unchanged: handlers do all reads and checks first, the one memory
 * write next, and the register updates last.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "x86.h"

/* ----------------------------------------------------------------------
 * Decoder
 */

/* Opcode attributes, one byte per opcode of a map */
#define A_MODRM		0x01	/* a ModRM byte follows */
#define A_INV64		0x02	/* #UD in 64-bit mode */
#define A_UNK		0x04	/* not known: the length cannot be decoded */
#define A_F64		0x08	/* operand size 64 in 64-bit mode, always */
#define A_D64		0x10	/* operand size 64 in 64-bit mode by default */
#define A_IMM_SHIFT	5	/* immediate kind, bits 5-7 */
#define A_IB		BIT(A_IMM_SHIFT)	/* imm8 */
#define A_IW		(2 << A_IMM_SHIFT)	/* imm16 */
#define A_IZ		(3 << A_IMM_SHIFT)	/* imm16/32 by operand size */
#define A_IV		(4 << A_IMM_SHIFT)	/* imm16/32/64 by operand size */
#define A_MOFFS		(5 << A_IMM_SHIFT)	/* offset by address size */
#define A_FAR		(6 << A_IMM_SHIFT)	/* offset16/32 and selector */
#define A_ENTER		(7 << A_IMM_SHIFT)	/* imm16 and imm8 */

#define M		A_MODRM
#define MIB		(A_MODRM | A_IB)

static const u8 x86_map0[256] = {
	/* ALU blocks: r/m,r  r,r/m  AL,ib  eAX,iz */
	[0x00 ... 0x03] = M, [0x04] = A_IB, [0x05] = A_IZ,
	[0x06 ... 0x07] = A_INV64,
	[0x08 ... 0x0b] = M, [0x0c] = A_IB, [0x0d] = A_IZ, [0x0e] = A_INV64,
	[0x10 ... 0x13] = M, [0x14] = A_IB, [0x15] = A_IZ,
	[0x16 ... 0x17] = A_INV64,
	[0x18 ... 0x1b] = M, [0x1c] = A_IB, [0x1d] = A_IZ,
	[0x1e ... 0x1f] = A_INV64,
	[0x20 ... 0x23] = M, [0x24] = A_IB, [0x25] = A_IZ, [0x27] = A_INV64,
	[0x28 ... 0x2b] = M, [0x2c] = A_IB, [0x2d] = A_IZ, [0x2f] = A_INV64,
	[0x30 ... 0x33] = M, [0x34] = A_IB, [0x35] = A_IZ, [0x37] = A_INV64,
	[0x38 ... 0x3b] = M, [0x3c] = A_IB, [0x3d] = A_IZ, [0x3f] = A_INV64,
	[0x50 ... 0x5f] = A_D64,
	[0x60 ... 0x61] = A_INV64, [0x62] = M | A_INV64, [0x63] = M,
	[0x68] = A_IZ | A_D64, [0x69] = M | A_IZ, [0x6a] = A_IB | A_D64,
	[0x6b] = MIB,
	[0x70 ... 0x7f] = A_IB | A_F64,
	[0x80] = MIB, [0x81] = M | A_IZ, [0x82] = MIB | A_INV64, [0x83] = MIB,
	[0x84 ... 0x8e] = M, [0x8f] = M | A_D64,
	[0x9a] = A_FAR | A_INV64, [0x9c ... 0x9d] = A_D64,
	[0xa0 ... 0xa3] = A_MOFFS, [0xa8] = A_IB, [0xa9] = A_IZ,
	[0xb0 ... 0xb7] = A_IB, [0xb8 ... 0xbf] = A_IV,
	[0xc0 ... 0xc1] = MIB, [0xc2] = A_IW | A_F64, [0xc3] = A_F64,
	[0xc4 ... 0xc5] = M | A_INV64, [0xc6] = MIB, [0xc7] = M | A_IZ,
	[0xc8] = A_ENTER | A_D64, [0xc9] = A_D64, [0xca] = A_IW,
	[0xcd] = A_IB, [0xce] = A_INV64,
	[0xd0 ... 0xd3] = M, [0xd4 ... 0xd5] = A_IB | A_INV64,
	[0xd6] = A_INV64, [0xd8 ... 0xdf] = M,
	[0xe0 ... 0xe3] = A_IB | A_F64, [0xe4 ... 0xe7] = A_IB,
	[0xe8 ... 0xe9] = A_IZ | A_F64, [0xea] = A_FAR | A_INV64,
	[0xeb] = A_IB | A_F64,
	[0xf6 ... 0xf7] = M, [0xfe ... 0xff] = M,
};

static const u8 x86_map1[256] = {
	[0x00 ... 0x03] = M, [0x04] = A_UNK, [0x0a] = A_UNK, [0x0c] = A_UNK,
	[0x0d] = M, [0x0f] = MIB,
	[0x10 ... 0x1f] = M, [0x20 ... 0x23] = M, [0x24 ... 0x27] = A_UNK,
	[0x28 ... 0x2f] = M, [0x36] = A_UNK, [0x38 ... 0x3f] = A_UNK,
	[0x40 ... 0x6f] = M, [0x70 ... 0x73] = MIB, [0x74 ... 0x76] = M,
	[0x78 ... 0x79] = M, [0x7a ... 0x7b] = A_UNK, [0x7c ... 0x7f] = M,
	[0x80 ... 0x8f] = A_IZ | A_F64, [0x90 ... 0x9f] = M,
	[0xa0 ... 0xa1] = A_D64, [0xa3] = M, [0xa4] = MIB, [0xa5] = M,
	[0xa6 ... 0xa7] = A_UNK, [0xa8 ... 0xa9] = A_D64, [0xab] = M,
	[0xac] = MIB, [0xad ... 0xaf] = M, [0xb0 ... 0xb9] = M, [0xba] = MIB,
	[0xbb ... 0xc1] = M, [0xc2] = MIB, [0xc3] = M, [0xc4 ... 0xc6] = MIB,
	[0xc7] = M, [0xd0 ... 0xff] = M,
};

#undef M
#undef MIB

/* Byte stream of the decoder */
struct x86_stream {
	const u8 *bytes;
	u32 avail;
	u32 pos;
};

static int x86_next(struct x86_stream *s, u8 *byte)
{
	if (s->pos >= MSHV_SIM_X86_MAX_INSN_LEN)
		return -E2BIG;
	if (s->pos >= s->avail)
		return -ENODATA;
	*byte = s->bytes[s->pos++];
	return 0;
}

/* Read a little-endian immediate or displacement of @size bytes. */
static int x86_next_le(struct x86_stream *s, u8 size, u64 *val)
{
	u8 i, b;
	int ret;

	*val = 0;
	for (i = 0; i < size; i++) {
		ret = x86_next(s, &b);
		if (ret)
			return ret;
		*val |= (u64)b << (8 * i);
	}
	return 0;
}

static bool x86_mode_is64(enum mshv_sim_x86_mode mode)
{
	return mode == MSHV_SIM_X86_MODE_LONG64;
}

/* Default operand and address size of a mode (2 or 4), before prefixes. */
static u8 x86_mode_default_size(enum mshv_sim_x86_mode mode)
{
	return (mode == MSHV_SIM_X86_MODE_REAL ||
		mode == MSHV_SIM_X86_MODE_PROT16) ? 2 : 4;
}

static const s8 x86_prefix_seg[8] = {
	MSHV_SIM_X86_ES, MSHV_SIM_X86_CS, MSHV_SIM_X86_SS, MSHV_SIM_X86_DS,
};

/* Consume legacy and REX prefixes; returns the first opcode byte. */
static int x86_decode_prefixes(struct x86_stream *s,
			       enum mshv_sim_x86_mode mode,
			       struct mshv_sim_x86_insn *insn, u8 *op)
{
	bool is64 = x86_mode_is64(mode);
	u8 b;
	int ret;

	for (;;) {
		ret = x86_next(s, &b);
		if (ret)
			return ret;
		if (is64 && (b & 0xf0) == 0x40) {
			insn->rex = b;
			continue;
		}
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			if (!is64)
				insn->seg = x86_prefix_seg[(b >> 3) & 3];
			break;
		case 0x64:
			insn->seg = MSHV_SIM_X86_FS;
			break;
		case 0x65:
			insn->seg = MSHV_SIM_X86_GS;
			break;
		case 0x66:
			insn->opsize_prefix = true;
			break;
		case 0x67:
			insn->addr_size = 1;	/* marker, resolved below */
			break;
		case 0xf0:
			insn->lock = true;
			break;
		case 0xf2: case 0xf3:
			insn->rep = b;
			break;
		default:
			*op = b;
			return 0;
		}
		/* a legacy prefix after REX cancels the REX */
		insn->rex = 0;
	}
}

static void x86_decode_sizes(enum mshv_sim_x86_mode mode,
			     struct mshv_sim_x86_insn *insn)
{
	u8 def = x86_mode_default_size(mode);
	bool addr_prefix = insn->addr_size == 1;

	if (x86_mode_is64(mode)) {
		insn->addr_size = addr_prefix ? 4 : 8;
		if (insn->rex & 8)
			insn->op_size = 8;
		else
			insn->op_size = insn->opsize_prefix ? 2 : 4;
		return;
	}
	insn->op_size = insn->opsize_prefix ? 6 - def : def;
	insn->addr_size = addr_prefix ? 6 - def : def;
}

/* VEX (C4/C5), XOP (8F) and EVEX (62) prefixes: length only. */
static int x86_decode_vex(struct x86_stream *s, struct mshv_sim_x86_insn *insn,
			  u8 first)
{
	u8 b, n, i;
	int ret;

	insn->vex = true;
	n = first == 0xc5 ? 1 : first == 0x62 ? 3 : 2;
	insn->map = 1;
	for (i = 0; i < n; i++) {
		ret = x86_next(s, &b);
		if (ret)
			return ret;
		if (i == 0 && n > 1)
			insn->map = b & (first == 0x62 ? 0x07 : 0x1f);
	}
	ret = x86_next(s, &insn->opcode);
	if (ret)
		return ret;
	/* map 1 opcodes without ModRM (VZEROUPPER/VZEROALL) keep none */
	insn->has_modrm = insn->map != 1 ||
			  (x86_map1[insn->opcode] & A_MODRM);
	/* map 3 (0F 3A) and the XOP maps 8 and 0x0a carry an imm8 */
	insn->imm_size = (insn->map == 3 || insn->map == 8) ? 1 :
			 insn->map == 0x0a ? 4 : 0;
	return 0;
}

/* Is the byte at an opcode position a VEX/XOP/EVEX escape in this mode? */
static bool x86_is_vex(struct x86_stream *s, enum mshv_sim_x86_mode mode,
		       u8 op)
{
	u8 next;

	if (op != 0xc4 && op != 0xc5 && op != 0x62 && op != 0x8f)
		return false;
	if (s->pos >= s->avail)
		return x86_mode_is64(mode) && op != 0x8f;
	next = s->bytes[s->pos];
	if (op == 0x8f)
		return (next & 0x1f) >= 8;	/* XOP, else POP r/m */
	/* outside 64-bit mode, a ModRM with mod != 3 means LES/LDS/BOUND */
	return x86_mode_is64(mode) || (next & 0xc0) == 0xc0;
}

static int x86_decode_opcode(struct x86_stream *s, enum mshv_sim_x86_mode mode,
			     struct mshv_sim_x86_insn *insn, u8 op, u8 *attr)
{
	int ret;

	if (x86_is_vex(s, mode, op)) {
		*attr = 0;
		return x86_decode_vex(s, insn, op);
	}
	if (op != 0x0f) {
		insn->map = 0;
		insn->opcode = op;
		*attr = x86_map0[op];
		return 0;
	}
	ret = x86_next(s, &op);
	if (ret)
		return ret;
	if (op == 0x38 || op == 0x3a) {
		insn->map = op == 0x38 ? 2 : 3;
		ret = x86_next(s, &insn->opcode);
		*attr = A_MODRM | (op == 0x3a ? A_IB : 0);
		return ret;
	}
	insn->map = 1;
	insn->opcode = op;
	*attr = x86_map1[op];
	return 0;
}

static int x86_decode_sib(struct x86_stream *s, struct mshv_sim_x86_insn *insn)
{
	u8 sib;
	int ret;

	ret = x86_next(s, &sib);
	if (ret)
		return ret;
	insn->has_sib = true;
	insn->scale = sib >> 6;
	insn->index = ((sib >> 3) & 7) | ((insn->rex & 2) << 2);
	if (insn->index == 4)
		insn->index = -1;
	insn->base = (sib & 7) | ((insn->rex & 1) << 3);
	if ((sib & 7) == 5 && insn->mod == 0) {
		insn->base = -1;
		insn->disp_size = 4;
	}
	return 0;
}

/* ModRM, SIB and displacement of 32/64-bit addressing */
static int x86_decode_modrm32(struct x86_stream *s,
			      enum mshv_sim_x86_mode mode,
			      struct mshv_sim_x86_insn *insn)
{
	u8 rm = insn->modrm & 7;
	int ret;

	insn->base = insn->rm;
	if (rm == 4) {
		ret = x86_decode_sib(s, insn);
		if (ret)
			return ret;
	} else if (rm == 5 && insn->mod == 0) {
		insn->base = -1;
		insn->disp_size = 4;
		insn->rip_relative = x86_mode_is64(mode);
	}
	if (insn->mod == 1)
		insn->disp_size = 1;
	else if (insn->mod == 2)
		insn->disp_size = 4;
	return 0;
}

static int x86_decode_modrm(struct x86_stream *s, enum mshv_sim_x86_mode mode,
			    struct mshv_sim_x86_insn *insn)
{
	u64 disp;
	int ret;

	ret = x86_next(s, &insn->modrm);
	if (ret)
		return ret;
	insn->mod = insn->modrm >> 6;
	insn->reg = ((insn->modrm >> 3) & 7) | ((insn->rex & 4) << 1);
	insn->rm = (insn->modrm & 7) | ((insn->rex & 1) << 3);
	insn->base = -1;
	insn->index = -1;
	if (insn->mod == 3)
		return 0;
	if (insn->addr_size == 2) {
		if (insn->mod == 1)
			insn->disp_size = 1;
		else if (insn->mod == 2 || (insn->mod == 0 && insn->rm == 6))
			insn->disp_size = 2;
	} else {
		ret = x86_decode_modrm32(s, mode, insn);
		if (ret)
			return ret;
	}
	ret = x86_next_le(s, insn->disp_size, &disp);
	if (ret)
		return ret;
	if (insn->disp_size == 1)
		insn->disp = (s8)disp;
	else if (insn->disp_size == 2)
		insn->disp = (s16)disp;
	else
		insn->disp = (s32)disp;
	return 0;
}

/* Immediate size of an opcode, from its attributes and operand sizes */
static u8 x86_imm_size(const struct mshv_sim_x86_insn *insn, u8 attr)
{
	u8 z = insn->op_size == 2 ? 2 : 4;

	/* TEST r/m, imm in groups 3 */
	if (insn->map == 0 && (insn->opcode & 0xfe) == 0xf6 &&
	    (insn->reg & 6) == 0)
		return insn->opcode & 1 ? z : 1;
	switch (attr & (7 << A_IMM_SHIFT)) {
	case A_IB:
		return 1;
	case A_IW:
		return 2;
	case A_IZ:
		return z;
	case A_IV:
		return insn->op_size;
	case A_MOFFS:
		return insn->addr_size;
	case A_FAR:
		return z;
	case A_ENTER:
		return 2;
	}
	return 0;
}

static int x86_decode_imm(struct x86_stream *s, struct mshv_sim_x86_insn *insn,
			  u8 attr)
{
	u64 second;
	u8 kind = attr & (7 << A_IMM_SHIFT);
	int ret;

	if (!insn->vex)
		insn->imm_size = x86_imm_size(insn, attr);
	ret = x86_next_le(s, insn->imm_size, &insn->imm);
	if (ret)
		return ret;
	if (insn->vex || (kind != A_FAR && kind != A_ENTER))
		return 0;
	ret = x86_next_le(s, kind == A_FAR ? 2 : 1, &second);
	insn->imm2 = second;
	return ret;
}

/**
 * mshv_sim_x86_decode() - decode one instruction
 * @bytes: the instruction bytes
 * @len: number of bytes available at @bytes
 * @mode: execution mode the bytes are decoded for
 * @insn: the decoded instruction
 *
 * Decodes prefixes, REX, VEX/EVEX lengths, the opcode maps, ModRM, SIB,
 * displacement and immediates.
 *
 * Return: 0; -ENODATA if @len bytes do not hold the whole instruction;
 * -E2BIG if it would be longer than 15 bytes; -EOPNOTSUPP for an opcode
 * whose length is unknown (insn->len then covers the bytes consumed).
 */
int mshv_sim_x86_decode(const u8 *bytes, u32 len, enum mshv_sim_x86_mode mode,
			struct mshv_sim_x86_insn *insn)
{
	struct x86_stream s = { .bytes = bytes, .avail = len };
	u8 op, attr;
	int ret;

	memset(insn, 0, sizeof(*insn));
	insn->seg = -1;
	ret = x86_decode_prefixes(&s, mode, insn, &op);
	if (ret)
		goto out;
	x86_decode_sizes(mode, insn);
	ret = x86_decode_opcode(&s, mode, insn, op, &attr);
	if (ret)
		goto out;
	if (attr & A_UNK) {
		ret = -EOPNOTSUPP;
		goto out;
	}
	if (x86_mode_is64(mode)) {
		if (attr & A_INV64)
			insn->invalid = true;
		if ((attr & A_F64) || ((attr & A_D64) && !insn->opsize_prefix))
			insn->op_size = 8;
	}
	if (insn->has_modrm || (attr & A_MODRM)) {
		insn->has_modrm = true;
		ret = x86_decode_modrm(&s, mode, insn);
		if (ret)
			goto out;
	}
	ret = x86_decode_imm(&s, insn, attr);
out:
	insn->len = s.pos;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_decode);

/* ----------------------------------------------------------------------
 * Execution context, registers, exits
 */

/* Handlers return 0 to go on, or X86_STOP once the exit is filled in. */
#define X86_STOP	1

#define X86_PTE_P	BIT_ULL(0)
#define X86_PTE_RW	BIT_ULL(1)
#define X86_PTE_US	BIT_ULL(2)
#define X86_PTE_A	BIT_ULL(5)
#define X86_PTE_D	BIT_ULL(6)
#define X86_PTE_PS	BIT_ULL(7)
#define X86_PTE_NX	BIT_ULL(63)
#define X86_PTE_ADDR	GENMASK_ULL(51, 12)

#define X86_PAGE_SIZE	4096u

/**
 * struct x86_ctx - one instruction (or one delivery) in progress
 * @cpu: the processor; written only once the instruction cannot fail
 * @ops: guest memory
 * @opaque: argument of @ops
 * @exit: where a stop is reported
 * @insn: the decoded instruction
 * @mode: execution mode
 * @cpl: current privilege level
 * @next_rip: RIP of the next instruction
 * @shadow: the instruction opens an interrupt shadow
 * @halt: the instruction was HLT
 * @pause: the instruction was PAUSE
 * @rep_again: a REP string iteration retired and more are due
 */
struct x86_ctx {
	struct mshv_sim_x86_cpu *cpu;
	const struct mshv_sim_x86_mem_ops *ops;
	void *opaque;
	struct mshv_sim_x86_exit *exit;
	struct mshv_sim_x86_insn insn;
	enum mshv_sim_x86_mode mode;
	u8 cpl;
	u64 next_rip;
	bool shadow;
	bool halt;
	bool pause;
	bool rep_again;
};

static u64 x86_mask(u8 size)
{
	return size >= 8 ? ~0ULL : BIT_ULL(size * 8) - 1;
}

static u64 x86_sign_bit(u8 size)
{
	return BIT_ULL(size * 8 - 1);
}

static u64 x86_sext(u64 val, u8 size)
{
	switch (size) {
	case 1:
		return (u64)(s64)(s8)val;
	case 2:
		return (u64)(s64)(s16)val;
	case 4:
		return (u64)(s64)(s32)val;
	}
	return val;
}

static u64 x86_le_get(const u8 *b, u8 size)
{
	u64 val = 0;
	int i;

	for (i = size - 1; i >= 0; i--)
		val = (val << 8) | b[i];
	return val;
}

static void x86_le_put(u8 *b, u64 val, u8 size)
{
	u8 i;

	for (i = 0; i < size; i++, val >>= 8)
		b[i] = val & 0xff;
}

static bool x86_is64(const struct x86_ctx *c)
{
	return c->mode == MSHV_SIM_X86_MODE_LONG64;
}

static bool x86_canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

static int x86_exception(struct x86_ctx *c, u8 vector, bool has_err, u32 err)
{
	c->exit->reason = MSHV_SIM_X86_EXIT_EXCEPTION;
	c->exit->exception.vector = vector;
	c->exit->exception.has_error_code = has_err;
	c->exit->exception.error_code = has_err ? err : 0;
	c->exit->exception.cr2 = 0;
	return X86_STOP;
}

static int x86_gp(struct x86_ctx *c, u32 err)
{
	return x86_exception(c, MSHV_SIM_X86_GP, true, err);
}

static int x86_ud(struct x86_ctx *c)
{
	return x86_exception(c, MSHV_SIM_X86_UD, false, 0);
}

static int x86_unsupported(struct x86_ctx *c)
{
	c->exit->reason = MSHV_SIM_X86_EXIT_UNSUPPORTED;
	return X86_STOP;
}

static int x86_stop(struct x86_ctx *c, enum mshv_sim_x86_exit_reason reason)
{
	c->exit->reason = reason;
	return X86_STOP;
}

/* #GP(0) unless at CPL 0 */
static int x86_need_cpl0(struct x86_ctx *c)
{
	return c->cpl ? x86_gp(c, 0) : 0;
}

/* A byte register without REX: 4-7 are AH, CH, DH, BH. */
static bool x86_high_byte(const struct x86_ctx *c, u8 reg, u8 size)
{
	return size == 1 && !c->insn.rex && reg >= 4 && reg < 8;
}

static u64 x86_reg_get(const struct x86_ctx *c, u8 reg, u8 size)
{
	if (x86_high_byte(c, reg, size))
		return (c->cpu->gpr[reg - 4] >> 8) & 0xff;
	return c->cpu->gpr[reg & 15] & x86_mask(size);
}

static void x86_gpr_write(u64 *gpr, u8 size, u64 val)
{
	if (size == 4)
		*gpr = val & 0xffffffff;
	else if (size == 8)
		*gpr = val;
	else
		*gpr = (*gpr & ~x86_mask(size)) | (val & x86_mask(size));
}

static void x86_reg_set(struct x86_ctx *c, u8 reg, u8 size, u64 val)
{
	u64 *gpr = &c->cpu->gpr[reg & 15];

	if (x86_high_byte(c, reg, size)) {
		gpr = &c->cpu->gpr[reg - 4];
		*gpr = (*gpr & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	x86_gpr_write(gpr, size, val);
}

/* ----------------------------------------------------------------------
 * Guest memory: SLAT stops, paging, linear and segmented accesses
 */

static int x86_gpa_stop(struct x86_ctx *c, const struct mshv_sim_gpa_fault *f,
			u64 la, bool gva_valid)
{
	c->exit->reason = MSHV_SIM_X86_EXIT_GPA;
	c->exit->gpa.gpa = f->gpa;
	c->exit->gpa.gva = gva_valid ? la : 0;
	c->exit->gpa.gva_valid = gva_valid;
	c->exit->gpa.access = f->access;
	c->exit->gpa.reason = f->reason;
	return X86_STOP;
}

static int x86_page_fault(struct x86_ctx *c, u64 la, u32 err)
{
	x86_exception(c, MSHV_SIM_X86_PF, true, err);
	c->exit->exception.cr2 = la;
	return X86_STOP;
}

/**
 * struct x86_walk - state of a guest page walk
 * @cpu: the processor whose paging mode and registers are used
 * @ops: guest memory
 * @ctx: argument of @ops
 * @req: the translation asked for
 * @res: where the result goes
 * @table: guest physical address of the current table
 * @shift: address bit the current level's index starts at
 * @bits: index bits per level
 * @esize: entry size in bytes
 * @level: current level, 1 for the last
 * @lma: IA-32e paging (4- or 5-level)
 * @rw: writable at every level so far
 * @us: user-accessible at every level so far
 * @nx: no-execute at some level so far
 * @nr_used: entries in @used
 * @used: guest physical address of each entry used, for @req->set_ad
 */
struct x86_walk {
	const struct mshv_sim_x86_cpu *cpu;
	const struct mshv_sim_x86_mem_ops *ops;
	void *ctx;
	const struct mshv_sim_x86_walk_req *req;
	struct mshv_sim_x86_walk *res;
	u64 table;
	u8 shift;
	u8 bits;
	u8 esize;
	u8 level;
	bool lma;
	bool rw;
	bool us;
	bool nx;
	u8 nr_used;
	u64 used[5];
};

static int x86_walk_read(struct x86_walk *w, u64 gpa, u64 *pte)
{
	u8 b[8];

	if (w->ops->read(w->ctx, gpa, b, w->esize, MSHV_SIM_ACCESS_READ,
			 &w->res->fault))
		return MSHV_SIM_X86_WALK_GPA;
	*pte = x86_le_get(b, w->esize);
	return MSHV_SIM_X86_WALK_OK;
}

/* PAE PDPTE: bits 2:1, 8:5 and 63:52 are reserved. */
#define X86_PDPTE_RSVD	(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) |	\
			 GENMASK_ULL(63, 52))

/* First level of the walk; PAE reads its PDPTE here. */
static int x86_walk_start(struct x86_walk *w)
{
	const struct mshv_sim_x86_cpu *cpu = w->cpu;
	u64 la = w->req->la, pdpte;
	int ret;

	w->rw = true;
	w->us = true;
	if (cpu->efer & MSHV_SIM_X86_EFER_LMA) {
		w->lma = true;
		w->level = cpu->cr4 & MSHV_SIM_X86_CR4_LA57 ? 5 : 4;
		w->shift = 12 + 9 * (w->level - 1);
		w->bits = 9;
		w->esize = 8;
		w->table = cpu->cr3 & X86_PTE_ADDR;
		/* Bits above the top index repeat its top bit. */
		if ((u64)((s64)(la << (55 - w->shift)) >>
			  (55 - w->shift)) != la)
			return MSHV_SIM_X86_WALK_NOT_PRESENT;
		return MSHV_SIM_X86_WALK_OK;
	}
	if (la >> 32)
		return MSHV_SIM_X86_WALK_NOT_PRESENT;
	if (!(cpu->cr4 & MSHV_SIM_X86_CR4_PAE)) {
		w->level = 2;
		w->shift = 22;
		w->bits = 10;
		w->esize = 4;
		w->table = cpu->cr3 & 0xfffff000;
		return MSHV_SIM_X86_WALK_OK;
	}
	w->esize = 8;
	ret = x86_walk_read(w, (cpu->cr3 & 0xffffffe0) + ((la >> 30) & 3) * 8,
			    &pdpte);
	if (ret)
		return ret;
	if (!(pdpte & X86_PTE_P))
		return MSHV_SIM_X86_WALK_NOT_PRESENT;
	if (pdpte & X86_PDPTE_RSVD)
		return MSHV_SIM_X86_WALK_RESERVED;
	w->level = 2;
	w->shift = 21;
	w->bits = 9;
	w->table = pdpte & X86_PTE_ADDR;
	return MSHV_SIM_X86_WALK_OK;
}

/* Does a paging-structure entry at the walk's level map a page? */
static bool x86_walk_leaf(const struct x86_walk *w, u64 pte)
{
	if (w->level == 1)
		return true;
	if (!(pte & X86_PTE_PS))
		return false;
	if (w->esize == 4)
		return w->cpu->cr4 & MSHV_SIM_X86_CR4_PSE;
	return w->level <= 3;
}

/* Does @pte, at the walk's level, have a reserved bit set? */
static bool x86_walk_reserved(const struct x86_walk *w, u64 pte, bool leaf)
{
	bool large = leaf && w->level > 1;

	if (w->esize == 4)
		/* A 4 MiB page: bits 20:13 are address bits 39:32. */
		return large && (pte & BIT_ULL(21));
	if ((pte & X86_PTE_NX) &&
	    !(w->cpu->efer & MSHV_SIM_X86_EFER_NXE))
		return true;
	/* PAE entries have no bits for software above the address. */
	if (!w->lma && (pte & GENMASK_ULL(62, 52)))
		return true;
	/* PS is reserved in PML5Es and PML4Es. */
	if (w->level >= 4 && (pte & X86_PTE_PS))
		return true;
	if (!large)
		return false;
	if (w->level == 3)
		return w->req->no_1g_pages || (pte & GENMASK_ULL(29, 13));
	return pte & GENMASK_ULL(20, 13);
}

/* #PF error code of an access, without the P bit */
static u32 x86_walk_error(const struct x86_walk *w)
{
	const struct mshv_sim_x86_walk_req *req = w->req;
	u32 err = 0;

	if (req->acc == MSHV_SIM_ACCESS_WRITE)
		err |= MSHV_SIM_X86_PFERR_W;
	if (req->user)
		err |= MSHV_SIM_X86_PFERR_U;
	/* I/D is reported when NX or SMEP can refuse fetches. */
	if (req->acc == MSHV_SIM_ACCESS_EXECUTE &&
	    ((w->cpu->efer & MSHV_SIM_X86_EFER_NXE) ||
	     (w->cpu->cr4 & MSHV_SIM_X86_CR4_SMEP)))
		err |= MSHV_SIM_X86_PFERR_I;
	return err;
}

static bool x86_walk_allows(const struct x86_walk *w)
{
	const struct mshv_sim_x86_walk_req *req = w->req;
	u64 cr4 = w->cpu->cr4;

	if (!req->check)
		return true;
	if (req->user && !w->us)
		return false;
	if (req->acc == MSHV_SIM_ACCESS_WRITE && !w->rw &&
	    (req->user || (w->cpu->cr0 & MSHV_SIM_X86_CR0_WP)))
		return false;
	if (req->acc == MSHV_SIM_ACCESS_EXECUTE && w->nx)
		return false;
	if (req->user || !w->us)
		return true;
	/* A supervisor-mode access to a user page: SMEP and SMAP. */
	if (req->acc == MSHV_SIM_ACCESS_EXECUTE)
		return !(req->smep && (cr4 & MSHV_SIM_X86_CR4_SMEP));
	return !(req->smap && (cr4 & MSHV_SIM_X86_CR4_SMAP));
}

static void x86_walk_accumulate(struct x86_walk *w, u64 pte)
{
	w->rw &= !!(pte & X86_PTE_RW);
	w->us &= !!(pte & X86_PTE_US);
	if (w->esize == 8 && (w->cpu->efer & MSHV_SIM_X86_EFER_NXE))
		w->nx |= !!(pte & X86_PTE_NX);
}

/* Set the accessed bits of the entries used, and the page's dirty bit. */
static int x86_walk_set_ad(struct x86_walk *w)
{
	u64 pte, set;
	u8 b[8];
	int i, ret;

	for (i = 0; i < w->nr_used; i++) {
		ret = x86_walk_read(w, w->used[i], &pte);
		if (ret)
			return ret;
		set = pte | X86_PTE_A;
		if (i == w->nr_used - 1 &&
		    w->req->acc == MSHV_SIM_ACCESS_WRITE)
			set |= X86_PTE_D;
		if (set == pte)
			continue;
		x86_le_put(b, set, w->esize);
		if (w->ops->write(w->ctx, w->used[i], b, w->esize,
				  &w->res->fault))
			return MSHV_SIM_X86_WALK_GPA;
	}
	return MSHV_SIM_X86_WALK_OK;
}

/**
 * mshv_sim_x86_walk() - translate a linear address through the guest's
 *	page tables
 * @cpu: the processor: CR0, CR3, CR4 and EFER select the paging mode
 * @ops: guest physical memory; reads of the paging structures are
 *	MSHV_SIM_ACCESS_READ accesses
 * @ctx: argument of @ops
 * @req: the translation wanted
 * @res: the result
 *
 * Walks 32-bit, PAE, 4-level or 5-level paging structures with 4 KiB,
 * 2 MiB, 4 MiB and 1 GiB pages, as the architecture defines them for a
 * processor with 52 physical address bits; with paging disabled the
 * linear address is the physical one. There is no TLB: every call walks
 * the tables as they are in memory.
 *
 * Context: any; no locks taken, nothing allocated.
 * Return: the outcome; @res->error_code holds the #PF error code of a
 * failure other than MSHV_SIM_X86_WALK_GPA.
 */
enum mshv_sim_x86_walk_status
mshv_sim_x86_walk(const struct mshv_sim_x86_cpu *cpu,
		  const struct mshv_sim_x86_mem_ops *ops, void *ctx,
		  const struct mshv_sim_x86_walk_req *req,
		  struct mshv_sim_x86_walk *res)
{
	struct x86_walk w = { .cpu = cpu, .ops = ops, .ctx = ctx,
			      .req = req, .res = res };
	u64 la = req->la, pte = 0, page_mask;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!(cpu->cr0 & MSHV_SIM_X86_CR0_PG)) {
		res->gpa = la;
		res->page_shift = 32;
		return MSHV_SIM_X86_WALK_OK;
	}
	res->error_code = x86_walk_error(&w);
	ret = x86_walk_start(&w);
	while (!ret) {
		w.used[w.nr_used] = w.table +
			((la >> w.shift) & (BIT(w.bits) - 1)) * w.esize;
		ret = x86_walk_read(&w, w.used[w.nr_used], &pte);
		if (ret)
			break;
		w.nr_used++;
		if (!(pte & X86_PTE_P)) {
			ret = MSHV_SIM_X86_WALK_NOT_PRESENT;
			break;
		}
		if (x86_walk_reserved(&w, pte, x86_walk_leaf(&w, pte))) {
			ret = MSHV_SIM_X86_WALK_RESERVED;
			break;
		}
		x86_walk_accumulate(&w, pte);
		if (x86_walk_leaf(&w, pte))
			break;
		w.table = pte & (w.esize == 8 ? X86_PTE_ADDR : 0xfffff000);
		w.shift -= w.bits;
		w.level--;
	}
	if (ret == MSHV_SIM_X86_WALK_RESERVED)
		res->error_code |= MSHV_SIM_X86_PFERR_P | MSHV_SIM_X86_PFERR_RSVD;
	if (ret)
		return ret;
	if (!x86_walk_allows(&w)) {
		res->error_code |= MSHV_SIM_X86_PFERR_P;
		return MSHV_SIM_X86_WALK_PROTECTION;
	}
	if (req->set_ad) {
		ret = x86_walk_set_ad(&w);
		if (ret)
			return ret;
	}
	page_mask = BIT_ULL(w.shift) - 1;
	if (w.esize == 4) {
		/* PSE-36: a 4 MiB page's address bits 39:32 are in 20:13. */
		if (w.level > 1)
			pte = (pte & 0xffc00000) | ((pte >> 13) & 0xff) << 32;
		else
			pte &= 0xfffff000;
	}
	res->gpa = (pte & X86_PTE_ADDR & ~page_mask) | (la & page_mask);
	res->page_shift = w.shift;
	return MSHV_SIM_X86_WALK_OK;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_walk);

/*
 * Translate a linear address through the guest page tables; @sys: an
 * implicit supervisor access (descriptor tables, the TSS).
 */
static int x86_translate(struct x86_ctx *c, u64 la, enum mshv_sim_access acc,
			 bool sys, u64 *gpa)
{
	struct mshv_sim_x86_walk_req req = {
		.la = la,
		.acc = acc,
		.check = true,
		.user = !sys && c->cpl == 3,
		/* RFLAGS.AC lifts SMAP for explicit accesses only. */
		.smap = !(c->cpu->rflags & MSHV_SIM_X86_FLAG_AC) ||
			(sys && c->cpl == 3),
		.smep = true,
	};
	struct mshv_sim_x86_walk res;

	switch (mshv_sim_x86_walk(c->cpu, c->ops, c->opaque, &req, &res)) {
	case MSHV_SIM_X86_WALK_OK:
		*gpa = res.gpa;
		return 0;
	case MSHV_SIM_X86_WALK_GPA:
		return x86_gpa_stop(c, &res.fault, 0, false);
	default:
		return x86_page_fault(c, la, res.error_code);
	}
}

static u32 x86_chunk(u64 la, u32 len)
{
	return min_t(u32, len, X86_PAGE_SIZE - (la & (X86_PAGE_SIZE - 1)));
}

/* Read linear memory; @sys: an implicit supervisor access (tables). */
static int x86_lin_read(struct x86_ctx *c, u64 la, void *buf, u32 len,
			enum mshv_sim_access acc, bool sys)
{
	struct mshv_sim_gpa_fault f = {};
	u8 *p = buf;
	u64 gpa;
	u32 n;
	int ret;

	while (len) {
		n = x86_chunk(la, len);
		ret = x86_translate(c, la, acc, sys, &gpa);
		if (ret)
			return ret;
		if (c->ops->read(c->opaque, gpa, p, n, acc, &f))
			return x86_gpa_stop(c, &f, la + (f.gpa - gpa), true);
		p += n;
		la += n;
		len -= n;
	}
	return 0;
}

/*
 * Write linear memory (at most one page crossing, as every write of the
 * interpreter is 48 bytes or less): translate both parts before writing.
 */
static int x86_lin_write(struct x86_ctx *c, u64 la, const void *buf, u32 len,
			 bool sys)
{
	struct mshv_sim_gpa_fault f = {};
	u32 n0 = x86_chunk(la, len);
	const u8 *p = buf;
	u64 gpa0, gpa1 = 0;
	int ret;

	ret = x86_translate(c, la, MSHV_SIM_ACCESS_WRITE, sys, &gpa0);
	if (!ret && n0 < len)
		ret = x86_translate(c, la + n0, MSHV_SIM_ACCESS_WRITE, sys,
				    &gpa1);
	if (ret)
		return ret;
	if (c->ops->write(c->opaque, gpa0, p, n0, &f))
		return x86_gpa_stop(c, &f, la + (f.gpa - gpa0), true);
	if (n0 < len && c->ops->write(c->opaque, gpa1, p + n0, len - n0, &f))
		return x86_gpa_stop(c, &f, la + n0 + (f.gpa - gpa1), true);
	return 0;
}

/* Linear address of a segment offset (already truncated to its size). */
static int x86_linear(struct x86_ctx *c, int seg, u64 off, u64 *la)
{
	const struct mshv_sim_x86_cpu *cpu = c->cpu;

	if (!x86_is64(c)) {
		*la = (cpu->seg[seg].base + off) & 0xffffffff;
		return 0;
	}
	*la = off;
	if (seg == MSHV_SIM_X86_FS || seg == MSHV_SIM_X86_GS)
		*la += cpu->seg[seg].base;
	if (x86_canonical(*la))
		return 0;
	if (seg == MSHV_SIM_X86_SS)
		return x86_exception(c, MSHV_SIM_X86_SS_VEC, true, 0);
	return x86_gp(c, 0);
}

static int x86_read_seg(struct x86_ctx *c, int seg, u64 off, void *buf,
			u32 len)
{
	u64 la;
	int ret;

	ret = x86_linear(c, seg, off, &la);
	if (ret)
		return ret;
	return x86_lin_read(c, la, buf, len, MSHV_SIM_ACCESS_READ, false);
}

static int x86_write_seg(struct x86_ctx *c, int seg, u64 off,
			 const void *buf, u32 len)
{
	u64 la;
	int ret;

	ret = x86_linear(c, seg, off, &la);
	if (ret)
		return ret;
	return x86_lin_write(c, la, buf, len, false);
}

static int x86_read_val(struct x86_ctx *c, int seg, u64 off, u8 size,
			u64 *val)
{
	u8 b[8];
	int ret;

	ret = x86_read_seg(c, seg, off, b, size);
	if (!ret)
		*val = x86_le_get(b, size);
	return ret;
}

static int x86_write_val(struct x86_ctx *c, int seg, u64 off, u8 size,
			 u64 val)
{
	u8 b[8];

	x86_le_put(b, val, size);
	return x86_write_seg(c, seg, off, b, size);
}

/* ----------------------------------------------------------------------
 * Flags and arithmetic
 */

#define F_CF	MSHV_SIM_X86_FLAG_CF
#define F_PF	MSHV_SIM_X86_FLAG_PF
#define F_AF	MSHV_SIM_X86_FLAG_AF
#define F_ZF	MSHV_SIM_X86_FLAG_ZF
#define F_SF	MSHV_SIM_X86_FLAG_SF
#define F_OF	MSHV_SIM_X86_FLAG_OF
#define F_DF	MSHV_SIM_X86_FLAG_DF
#define F_IF	MSHV_SIM_X86_FLAG_IF
#define F_TF	MSHV_SIM_X86_FLAG_TF
#define F_ARITH	MSHV_SIM_X86_FLAGS_ARITH

/* ALU operations, in the order of the reg field of 80-83 */
enum x86_alu_op {
	X86_ADD, X86_OR, X86_ADC, X86_SBB, X86_AND, X86_SUB, X86_XOR, X86_CMP,
};

/* PF, ZF and SF of a result */
static u64 x86_flags_szp(u64 res, u8 size)
{
	u64 flags = 0;

	res &= x86_mask(size);
	if (!(hweight8(res & 0xff) & 1))
		flags |= F_PF;
	if (!res)
		flags |= F_ZF;
	if (res & x86_sign_bit(size))
		flags |= F_SF;
	return flags;
}

/* Merge the arithmetic flags in @mask into RFLAGS value @rflags. */
static u64 x86_flags_merge(u64 rflags, u64 flags, u64 mask)
{
	return (rflags & ~mask) | (flags & mask);
}

/* a + b + carry, with all six flags */
static u64 x86_add(u64 a, u64 b, bool carry, u8 size, u64 *flags)
{
	u64 res = (a + b + carry) & x86_mask(size);
	u64 sign = x86_sign_bit(size);
	u64 f = x86_flags_szp(res, size);

	if (((a & b) | ((a | b) & ~res)) & sign)
		f |= F_CF;
	if ((a ^ res) & (b ^ res) & sign)
		f |= F_OF;
	if ((a ^ b ^ res) & 0x10)
		f |= F_AF;
	*flags = f;
	return res;
}

/* a - b - borrow, with all six flags */
static u64 x86_sub(u64 a, u64 b, bool borrow, u8 size, u64 *flags)
{
	u64 res = (a - b - borrow) & x86_mask(size);
	u64 sign = x86_sign_bit(size);
	u64 f = x86_flags_szp(res, size);

	if (((~a & b) | ((~a | b) & res)) & sign)
		f |= F_CF;
	if ((a ^ b) & (a ^ res) & sign)
		f |= F_OF;
	if ((a ^ b ^ res) & 0x10)
		f |= F_AF;
	*flags = f;
	return res;
}

/* One of the eight ALU operations; returns the result, sets the flags. */
static u64 x86_alu(enum x86_alu_op op, u64 a, u64 b, u8 size, u64 *rflags)
{
	bool cf = *rflags & F_CF;
	u64 res, f;

	a &= x86_mask(size);
	b &= x86_mask(size);
	switch (op) {
	case X86_ADD:
		res = x86_add(a, b, false, size, &f);
		break;
	case X86_ADC:
		res = x86_add(a, b, cf, size, &f);
		break;
	case X86_SBB:
		res = x86_sub(a, b, cf, size, &f);
		break;
	case X86_SUB:
	case X86_CMP:
		res = x86_sub(a, b, false, size, &f);
		break;
	case X86_OR:
		res = a | b;
		f = x86_flags_szp(res, size);
		break;
	case X86_AND:
		res = a & b;
		f = x86_flags_szp(res, size);
		break;
	default:
		res = a ^ b;
		f = x86_flags_szp(res, size);
		break;
	}
	*rflags = x86_flags_merge(*rflags, f, F_ARITH);
	return res;
}

/* INC (dec false) or DEC: like ADD/SUB 1, CF unchanged */
static u64 x86_incdec(u64 a, bool dec, u8 size, u64 *rflags)
{
	u64 res, f;

	if (dec)
		res = x86_sub(a & x86_mask(size), 1, false, size, &f);
	else
		res = x86_add(a & x86_mask(size), 1, false, size, &f);
	*rflags = x86_flags_merge(*rflags, f, F_ARITH & ~F_CF);
	return res;
}

/* Shift and rotate operations, in the order of the reg field of C0-D3 */
enum x86_shift_op {
	X86_ROL, X86_ROR, X86_RCL, X86_RCR, X86_SHL, X86_SHR, X86_SAL,
	X86_SAR,
};

static u64 x86_rotate(enum x86_shift_op op, u64 a, u8 cnt, u8 size,
		      u64 *rflags)
{
	u8 bits = size * 8;
	u64 mask = x86_mask(size), sign = x86_sign_bit(size), res = a, f = 0;
	bool cf = *rflags & F_CF, out;
	u8 i;

	if (op == X86_ROL || op == X86_ROR) {
		cnt %= bits;
		if (cnt)
			res = op == X86_ROL ?
			      ((a << cnt) | (a >> (bits - cnt))) & mask :
			      ((a >> cnt) | (a << (bits - cnt))) & mask;
		cf = op == X86_ROL ? res & 1 : !!(res & sign);
	} else {
		cnt %= bits + 1;
		for (i = 0; i < cnt; i++) {
			if (op == X86_RCL) {
				out = res & sign;
				res = ((res << 1) | cf) & mask;
			} else {
				out = res & 1;
				res = (res >> 1) | (cf ? sign : 0);
			}
			cf = out;
		}
	}
	if (cf)
		f |= F_CF;
	/* OF: MSB xor CF for left rotates, the two top bits for right ones */
	if (op == X86_ROL || op == X86_RCL ?
	    !!(res & sign) != cf : !!(res & sign) != !!(res & (sign >> 1)))
		f |= F_OF;
	*rflags = x86_flags_merge(*rflags, f, F_CF | F_OF);
	return res;
}

static u64 x86_shift(enum x86_shift_op op, u64 a, u8 cnt, u8 size,
		     u64 *rflags)
{
	u8 bits = size * 8;
	u64 sign = x86_sign_bit(size), res, f;
	bool cf;

	if (op == X86_SHL || op == X86_SAL) {
		res = cnt < 64 ? (a << cnt) & x86_mask(size) : 0;
		cf = cnt <= bits && ((a >> (bits - cnt)) & 1);
		f = x86_flags_szp(res, size);
		if (!!(res & sign) != cf)
			f |= F_OF;
	} else if (op == X86_SHR) {
		res = cnt < 64 ? a >> cnt : 0;
		cf = cnt <= 64 && ((a >> (cnt - 1)) & 1);
		f = x86_flags_szp(res, size);
		if (a & sign)
			f |= F_OF;
	} else {
		a = x86_sext(a, size);
		res = (u64)((s64)a >> min_t(u8, cnt, 63)) & x86_mask(size);
		cf = ((s64)a >> min_t(u8, cnt - 1, 63)) & 1;
		f = x86_flags_szp(res, size);
	}
	if (cf)
		f |= F_CF;
	*rflags = x86_flags_merge(*rflags, f, F_ARITH);
	return res;
}

/*
 * Shift or rotate @a by @cnt (already masked to 5 or 6 bits). A zero count
 * changes no flag. AF is cleared by shifts; OF is computed for every count.
 */
static u64 x86_shift_rotate(enum x86_shift_op op, u64 a, u8 cnt, u8 size,
			    u64 *rflags)
{
	a &= x86_mask(size);
	if (!cnt)
		return a;
	if (op <= X86_RCR)
		return x86_rotate(op, a, cnt, size, rflags);
	return x86_shift(op, a, cnt, size, rflags);
}

/* 64 x 64 -> 128 bit unsigned multiply */
static void x86_mul128(u64 a, u64 b, u64 *lo, u64 *hi)
{
	u64 a_lo = a & 0xffffffff, a_hi = a >> 32;
	u64 b_lo = b & 0xffffffff, b_hi = b >> 32;
	u64 p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo;
	u64 p3 = a_hi * b_hi;
	u64 mid = (p0 >> 32) + (p1 & 0xffffffff) + (p2 & 0xffffffff);

	*lo = (p0 & 0xffffffff) | (mid << 32);
	*hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
}

/* 128 / 64 bit unsigned divide; false if the quotient exceeds 64 bits */
static bool x86_div128(u64 hi, u64 lo, u64 d, u64 *q, u64 *r)
{
	u64 quot = 0;
	bool top;
	int i;

	if (!d || hi >= d)
		return false;
	for (i = 0; i < 64; i++) {
		top = hi >> 63;
		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		quot <<= 1;
		if (top || hi >= d) {
			hi -= d;
			quot |= 1;
		}
	}
	*q = quot;
	*r = hi;
	return true;
}

/* Two's complement negation of the 128-bit value hi:lo */
static void x86_neg128(u64 *hi, u64 *lo)
{
	*lo = ~*lo + 1;
	*hi = ~*hi + !*lo;
}

/* ----------------------------------------------------------------------
 * Operands
 */

/**
 * struct x86_op - a register or memory operand
 * @mem: a memory operand at @seg:@off, else register @reg
 * @size: size in bytes
 * @reg: register number
 * @seg: segment register of a memory operand
 * @off: offset of a memory operand (truncated to the address size)
 */
struct x86_op {
	bool mem;
	u8 size;
	u8 reg;
	int seg;
	u64 off;
};

static const u8 x86_ea16_base[8] = {
	MSHV_SIM_X86_RBX, MSHV_SIM_X86_RBX, MSHV_SIM_X86_RBP, MSHV_SIM_X86_RBP,
	MSHV_SIM_X86_RSI, MSHV_SIM_X86_RDI, MSHV_SIM_X86_RBP, MSHV_SIM_X86_RBX,
};

/* 16-bit effective address; returns the default segment. */
static int x86_ea16(const struct x86_ctx *c, u64 *ea)
{
	const struct mshv_sim_x86_insn *insn = &c->insn;
	const u64 *gpr = c->cpu->gpr;
	u8 rm = insn->rm & 7;

	*ea = insn->disp;
	if (rm < 4)
		*ea += gpr[rm & 1 ? MSHV_SIM_X86_RDI : MSHV_SIM_X86_RSI];
	if (!(insn->mod == 0 && rm == 6))
		*ea += gpr[x86_ea16_base[rm]];
	*ea &= 0xffff;
	if (x86_ea16_base[rm] == MSHV_SIM_X86_RBP && !(insn->mod == 0 && rm == 6))
		return MSHV_SIM_X86_SS;
	return MSHV_SIM_X86_DS;
}

/* Segment and offset of the ModRM memory operand */
static void x86_ea(const struct x86_ctx *c, int *seg, u64 *ea)
{
	const struct mshv_sim_x86_insn *insn = &c->insn;
	int def = MSHV_SIM_X86_DS;

	if (insn->addr_size == 2) {
		def = x86_ea16(c, ea);
	} else {
		*ea = (u64)(s64)insn->disp;
		if (insn->rip_relative)
			*ea += c->next_rip;
		if (insn->base >= 0)
			*ea += c->cpu->gpr[insn->base];
		if (insn->index >= 0)
			*ea += c->cpu->gpr[insn->index] << insn->scale;
		if (insn->base == MSHV_SIM_X86_RSP ||
		    insn->base == MSHV_SIM_X86_RBP)
			def = MSHV_SIM_X86_SS;
		*ea &= x86_mask(insn->addr_size);
	}
	*seg = insn->seg >= 0 ? insn->seg : def;
}

/* The r/m operand of the instruction */
static void x86_op_rm(const struct x86_ctx *c, struct x86_op *op, u8 size)
{
	op->size = size;
	op->mem = c->insn.mod != 3;
	op->reg = c->insn.rm;
	if (op->mem)
		x86_ea(c, &op->seg, &op->off);
}

/* The reg operand of the instruction */
static void x86_op_reg(const struct x86_ctx *c, struct x86_op *op, u8 size)
{
	op->size = size;
	op->mem = false;
	op->reg = c->insn.reg;
}

static void x86_op_gpr(struct x86_op *op, u8 reg, u8 size)
{
	op->size = size;
	op->mem = false;
	op->reg = reg;
}

static int x86_op_read(struct x86_ctx *c, const struct x86_op *op, u64 *val)
{
	if (op->mem)
		return x86_read_val(c, op->seg, op->off, op->size, val);
	*val = x86_reg_get(c, op->reg, op->size);
	return 0;
}

static int x86_op_write(struct x86_ctx *c, const struct x86_op *op, u64 val)
{
	if (op->mem)
		return x86_write_val(c, op->seg, op->off, op->size, val);
	x86_reg_set(c, op->reg, op->size, val);
	return 0;
}

/* Operand size of byte forms (even opcode) and full forms (odd opcode) */
static u8 x86_size_bw(const struct x86_ctx *c)
{
	return c->insn.opcode & 1 ? c->insn.op_size : 1;
}

/* Immediate, sign-extended to the operand size */
static u64 x86_imm(const struct x86_ctx *c, u8 size)
{
	return x86_sext(c->insn.imm, c->insn.imm_size) & x86_mask(size);
}

/* ----------------------------------------------------------------------
 * Stack
 */

static u8 x86_stack_asize(const struct x86_ctx *c)
{
	if (x86_is64(c))
		return 8;
	return c->cpu->seg[MSHV_SIM_X86_SS].attributes & MSHV_SIM_X86_SEG_DB ?
	       4 : 2;
}

/* RSP moved by @delta within the stack's address size */
static u64 x86_sp_add(const struct x86_ctx *c, u64 sp, s64 delta)
{
	u64 mask = x86_mask(x86_stack_asize(c));

	return (sp & ~mask) | ((sp + delta) & mask);
}

/* Write @len bytes below RSP; *new_sp gets the RSP to commit. */
static int x86_push_bytes(struct x86_ctx *c, const u8 *buf, u8 len,
			  u64 *new_sp)
{
	u64 sp = x86_sp_add(c, c->cpu->gpr[MSHV_SIM_X86_RSP], -(s64)len);
	u64 mask = x86_mask(x86_stack_asize(c));
	u64 off = sp & mask;
	u32 first = len;
	int ret;

	/* a 16-bit stack may wrap around within the frame */
	if (mask != ~0ULL && off + len > mask + 1)
		first = mask + 1 - off;
	ret = x86_write_seg(c, MSHV_SIM_X86_SS, off, buf, first);
	if (!ret && first < len)
		ret = x86_write_seg(c, MSHV_SIM_X86_SS, 0, buf + first,
				    len - first);
	*new_sp = sp;
	return ret;
}

static int x86_push(struct x86_ctx *c, u64 val, u8 size, u64 *new_sp)
{
	u8 b[8];

	x86_le_put(b, val, size);
	return x86_push_bytes(c, b, size, new_sp);
}

/* Read @len bytes at RSP; *new_sp gets the RSP to commit. */
static int x86_pop_bytes(struct x86_ctx *c, u8 *buf, u8 len, u64 *new_sp)
{
	u64 sp = c->cpu->gpr[MSHV_SIM_X86_RSP];
	u64 mask = x86_mask(x86_stack_asize(c));
	u64 off = sp & mask;
	u32 first = len;
	int ret;

	if (mask != ~0ULL && off + len > mask + 1)
		first = mask + 1 - off;
	ret = x86_read_seg(c, MSHV_SIM_X86_SS, off, buf, first);
	if (!ret && first < len)
		ret = x86_read_seg(c, MSHV_SIM_X86_SS, 0, buf + first,
				   len - first);
	*new_sp = x86_sp_add(c, sp, len);
	return ret;
}

static int x86_pop(struct x86_ctx *c, u8 size, u64 *val, u64 *new_sp)
{
	u8 b[8];
	int ret;

	ret = x86_pop_bytes(c, b, size, new_sp);
	if (!ret)
		*val = x86_le_get(b, size);
	return ret;
}

/* ----------------------------------------------------------------------
 * Segments and descriptors
 */

/* Attributes of a descriptor (its bits 40-55, without limit 19:16) */
static u16 x86_desc_attr(u64 desc)
{
	return (desc >> 40) & 0xf0ff;
}

static void x86_desc_to_seg(u64 desc, u16 sel, struct mshv_sim_x86_seg *s)
{
	u32 limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000);

	s->selector = sel;
	s->attributes = x86_desc_attr(desc);
	s->base = ((desc >> 16) & 0xffffff) | (((desc >> 56) & 0xff) << 24);
	s->limit = s->attributes & MSHV_SIM_X86_SEG_G ?
		   (limit << 12) | 0xfff : limit;
}

/* Read the descriptor of a (non-null) selector from the GDT or LDT. */
static int x86_read_desc(struct x86_ctx *c, u16 sel, u64 *desc)
{
	const struct mshv_sim_x86_cpu *cpu = c->cpu;
	u64 base = cpu->gdtr.base;
	u32 limit = cpu->gdtr.limit;
	u8 b[8];
	int ret;

	if (sel & 4) {
		base = cpu->ldtr.base;
		limit = cpu->ldtr.limit;
	}
	if ((sel | 7) > limit)
		return x86_gp(c, sel & 0xfffc);
	if (!x86_is64(c) && !(cpu->efer & MSHV_SIM_X86_EFER_LMA))
		base &= 0xffffffff;
	ret = x86_lin_read(c, base + (sel & ~7), b, 8, MSHV_SIM_ACCESS_READ,
			   true);
	if (!ret)
		*desc = x86_le_get(b, 8);
	return ret;
}

static bool x86_seg_code(u16 attr)
{
	return (attr & MSHV_SIM_X86_SEG_S) && (attr & 8);
}

static u8 x86_seg_dpl(u16 attr)
{
	return (attr & MSHV_SIM_X86_SEG_DPL) >> 5;
}

/*
 * Load a data segment register (DS ES FS GS SS) in protected mode. Only
 * the checks that a misbehaving guest would notice are made: null SS,
 * non-data or system segments, SS privilege, not present.
 */
static int x86_load_data_seg(struct x86_ctx *c, int sreg, u16 sel,
			     struct mshv_sim_x86_seg *out)
{
	u32 err = sel & 0xfffc;
	u16 attr;
	u64 desc;
	int ret;

	if (!(sel & 0xfffc)) {
		if (sreg == MSHV_SIM_X86_SS && !(x86_is64(c) && c->cpl < 3))
			return x86_gp(c, 0);
		*out = (struct mshv_sim_x86_seg){ .selector = sel };
		return 0;
	}
	ret = x86_read_desc(c, sel, &desc);
	if (ret)
		return ret;
	attr = x86_desc_attr(desc);
	if (!(attr & MSHV_SIM_X86_SEG_S))
		return x86_gp(c, err);
	if (sreg == MSHV_SIM_X86_SS) {
		/* writable data, RPL == DPL == CPL */
		if ((attr & 0xa) != 2 || (sel & 3) != c->cpl ||
		    x86_seg_dpl(attr) != c->cpl)
			return x86_gp(c, err);
		if (!(attr & MSHV_SIM_X86_SEG_P))
			return x86_exception(c, MSHV_SIM_X86_SS_VEC, true, err);
	} else {
		/* data or readable code */
		if ((attr & 0xa) == 8)
			return x86_gp(c, err);
		if (!(attr & MSHV_SIM_X86_SEG_P))
			return x86_exception(c, MSHV_SIM_X86_NP, true, err);
	}
	x86_desc_to_seg(desc, sel, out);
	return 0;
}

/* Load CS for a far transfer in protected mode, to privilege @rpl's CPL. */
static int x86_load_code_seg(struct x86_ctx *c, u16 sel,
			     struct mshv_sim_x86_seg *out)
{
	u32 err = sel & 0xfffc;
	u16 attr;
	u64 desc;
	int ret;

	if (!err)
		return x86_gp(c, 0);
	ret = x86_read_desc(c, sel, &desc);
	if (ret)
		return ret;
	attr = x86_desc_attr(desc);
	if (!x86_seg_code(attr))
		return x86_gp(c, err);
	if (!(attr & MSHV_SIM_X86_SEG_P))
		return x86_exception(c, MSHV_SIM_X86_NP, true, err);
	x86_desc_to_seg(desc, sel, out);
	/* a nonconforming segment runs at its DPL; keep RPL = CPL */
	if (!(attr & 4))
		out->selector = (sel & ~3) | x86_seg_dpl(attr);
	return 0;
}

static void x86_real_seg(struct mshv_sim_x86_seg *s, u16 sel)
{
	s->selector = sel;
	s->base = (u64)sel << 4;
}

/* Load segment register @sreg with @sel (MOV, POP); commits it. */
static int x86_set_sreg(struct x86_ctx *c, int sreg, u16 sel)
{
	struct mshv_sim_x86_seg s;
	int ret;

	if (c->mode == MSHV_SIM_X86_MODE_REAL) {
		x86_real_seg(&c->cpu->seg[sreg], sel);
		return 0;
	}
	ret = x86_load_data_seg(c, sreg, sel, &s);
	if (!ret)
		c->cpu->seg[sreg] = s;
	return ret;
}

/* ----------------------------------------------------------------------
 * Instructions: data movement and arithmetic
 */

/* Apply ALU operation @op to @dst and @b; CMP and TEST do not write. */
static int x86_alu_apply(struct x86_ctx *c, enum x86_alu_op op,
			 const struct x86_op *dst, u64 b, bool test)
{
	u64 a, res, rflags = c->cpu->rflags;
	int ret;

	ret = x86_op_read(c, dst, &a);
	if (ret)
		return ret;
	res = x86_alu(test ? X86_AND : op, a, b, dst->size, &rflags);
	if (!test && op != X86_CMP) {
		ret = x86_op_write(c, dst, res);
		if (ret)
			return ret;
	}
	c->cpu->rflags = rflags;
	return 0;
}

/* 00-3D: the ALU operations in their six encodings */
static int x86_exec_alu(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode, size = x86_size_bw(c);
	enum x86_alu_op op = opc >> 3;
	struct x86_op dst, src;
	u64 b;
	int ret;

	switch (opc & 7) {
	case 0: case 1:
		x86_op_rm(c, &dst, size);
		x86_op_reg(c, &src, size);
		break;
	case 2: case 3:
		x86_op_reg(c, &dst, size);
		x86_op_rm(c, &src, size);
		break;
	default:
		x86_op_gpr(&dst, MSHV_SIM_X86_RAX, size);
		return x86_alu_apply(c, op, &dst, x86_imm(c, size), false);
	}
	ret = x86_op_read(c, &src, &b);
	if (ret)
		return ret;
	return x86_alu_apply(c, op, &dst, b, false);
}

/* 80-83: ALU operation on r/m with an immediate */
static int x86_exec_group1(struct x86_ctx *c)
{
	u8 size = (c->insn.opcode & 3) == 1 || c->insn.opcode == 0x83 ?
		  c->insn.op_size : 1;
	struct x86_op dst;

	x86_op_rm(c, &dst, size);
	return x86_alu_apply(c, c->insn.reg & 7, &dst, x86_imm(c, size),
			     false);
}

/* 84/85 TEST r/m, r; A8/A9 TEST acc, imm */
static int x86_exec_test(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c);
	struct x86_op dst, src;
	u64 b;
	int ret;

	if (c->insn.opcode >= 0xa8) {
		x86_op_gpr(&dst, MSHV_SIM_X86_RAX, size);
		return x86_alu_apply(c, X86_AND, &dst, x86_imm(c, size), true);
	}
	x86_op_rm(c, &dst, size);
	x86_op_reg(c, &src, size);
	ret = x86_op_read(c, &src, &b);
	if (ret)
		return ret;
	return x86_alu_apply(c, X86_AND, &dst, b, true);
}

/* Copy @src to @dst */
static int x86_move(struct x86_ctx *c, const struct x86_op *dst,
		    const struct x86_op *src)
{
	u64 val;
	int ret;

	ret = x86_op_read(c, src, &val);
	if (ret)
		return ret;
	return x86_op_write(c, dst, val);
}

/* 88-8B MOV between r/m and reg */
static int x86_exec_mov_rm(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c);
	struct x86_op rm, reg;

	x86_op_rm(c, &rm, size);
	x86_op_reg(c, &reg, size);
	if (c->insn.opcode & 2)
		return x86_move(c, &reg, &rm);
	return x86_move(c, &rm, &reg);
}

/* B0-BF MOV reg, imm; C6/C7 /0 MOV r/m, imm */
static int x86_exec_mov_imm(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode, size;
	struct x86_op dst;

	if (opc >= 0xc6) {
		if (c->insn.reg & 7)
			return x86_unsupported(c);
		size = x86_size_bw(c);
		x86_op_rm(c, &dst, size);
		return x86_op_write(c, &dst, x86_imm(c, size));
	}
	size = opc >= 0xb8 ? c->insn.op_size : 1;
	x86_op_gpr(&dst, (opc & 7) | ((c->insn.rex & 1) << 3), size);
	return x86_op_write(c, &dst, c->insn.imm);
}

/* A0-A3 MOV between the accumulator and a memory offset */
static int x86_exec_mov_moffs(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c);
	struct x86_op mem = {
		.mem = true, .size = size, .off = c->insn.imm,
		.seg = c->insn.seg >= 0 ? c->insn.seg : MSHV_SIM_X86_DS,
	};
	struct x86_op acc;

	x86_op_gpr(&acc, MSHV_SIM_X86_RAX, size);
	if (c->insn.opcode & 2)
		return x86_move(c, &mem, &acc);
	return x86_move(c, &acc, &mem);
}

/* 8C MOV r/m, Sreg */
static int x86_exec_mov_from_sreg(struct x86_ctx *c)
{
	struct x86_op dst;
	u8 sreg = c->insn.reg & 7;

	if (sreg >= MSHV_SIM_X86_NR_SREGS)
		return x86_ud(c);
	x86_op_rm(c, &dst, c->insn.mod == 3 ? c->insn.op_size : 2);
	return x86_op_write(c, &dst, c->cpu->seg[sreg].selector);
}

/* 8E MOV Sreg, r/m16 */
static int x86_exec_mov_to_sreg(struct x86_ctx *c)
{
	u8 sreg = c->insn.reg & 7;
	struct x86_op src;
	u64 sel;
	int ret;

	if (sreg >= MSHV_SIM_X86_NR_SREGS || sreg == MSHV_SIM_X86_CS)
		return x86_ud(c);
	x86_op_rm(c, &src, 2);
	ret = x86_op_read(c, &src, &sel);
	if (!ret)
		ret = x86_set_sreg(c, sreg, sel);
	if (!ret && sreg == MSHV_SIM_X86_SS)
		c->shadow = true;
	return ret;
}

/*
 * C4 LES, C5 LDS (outside 64-bit mode), 0F B2 LSS, 0F B4 LFS, 0F B5 LGS:
 * load a far pointer (offset, then a 16-bit selector) into a segment
 * register and a general register.
 */
static int x86_exec_load_far(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, opc = c->insn.opcode, b[2];
	struct x86_op src;
	u64 off;
	int sreg, ret;

	if (c->insn.mod == 3)
		return x86_ud(c);
	if (c->insn.map == 0)
		sreg = opc == 0xc4 ? MSHV_SIM_X86_ES : MSHV_SIM_X86_DS;
	else
		sreg = opc == 0xb2 ? MSHV_SIM_X86_SS : opc - 0xb4 +
		       MSHV_SIM_X86_FS;
	x86_op_rm(c, &src, size);
	ret = x86_op_read(c, &src, &off);
	if (!ret)
		ret = x86_read_seg(c, src.seg, (src.off + size) &
				   x86_mask(c->insn.addr_size), b, 2);
	if (!ret)
		ret = x86_set_sreg(c, sreg, x86_le_get(b, 2));
	if (ret)
		return ret;
	if (sreg == MSHV_SIM_X86_SS)
		c->shadow = true;
	x86_reg_set(c, c->insn.reg, size, off);
	return 0;
}

/* 8D LEA */
static int x86_exec_lea(struct x86_ctx *c)
{
	struct x86_op dst;
	int seg;
	u64 ea;

	if (c->insn.mod == 3)
		return x86_ud(c);
	x86_ea(c, &seg, &ea);
	x86_op_reg(c, &dst, c->insn.op_size);
	return x86_op_write(c, &dst, ea);
}

/* 0F B6/B7 MOVZX, 0F BE/BF MOVSX, 63 MOVSXD */
static int x86_exec_movx(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;
	u8 ssize = c->insn.map == 0 ? 4 : (opc & 1) ? 2 : 1;
	struct x86_op src, dst;
	u64 val;
	int ret;

	if (c->insn.map == 0 && !x86_is64(c))
		return x86_unsupported(c);	/* ARPL */
	x86_op_rm(c, &src, min(ssize, c->insn.op_size));
	x86_op_reg(c, &dst, c->insn.op_size);
	ret = x86_op_read(c, &src, &val);
	if (ret)
		return ret;
	if (c->insn.map == 0 || opc >= 0xbe)
		val = x86_sext(val, src.size);
	return x86_op_write(c, &dst, val);
}

/* 86/87 XCHG r/m, reg; 90-97 XCHG rAX, reg (90 alone is NOP, F3 90 PAUSE) */
static int x86_exec_xchg(struct x86_ctx *c)
{
	struct x86_op a, b;
	u64 va, vb;
	int ret;

	if (c->insn.opcode >= 0x90) {
		if (c->insn.opcode == 0x90 && !(c->insn.rex & 1)) {
			c->pause = c->insn.rep == 0xf3;
			return 0;
		}
		x86_op_gpr(&a, (c->insn.opcode & 7) | ((c->insn.rex & 1) << 3),
			   c->insn.op_size);
		x86_op_gpr(&b, MSHV_SIM_X86_RAX, c->insn.op_size);
	} else {
		x86_op_rm(c, &a, x86_size_bw(c));
		x86_op_reg(c, &b, a.size);
	}
	ret = x86_op_read(c, &a, &va);
	if (!ret)
		ret = x86_op_read(c, &b, &vb);
	if (!ret)
		ret = x86_op_write(c, &a, vb);
	if (!ret)
		ret = x86_op_write(c, &b, va);
	return ret;
}

/* 98 CBW/CWDE/CDQE, 99 CWD/CDQ/CQO */
static int x86_exec_convert(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	u64 rax = c->cpu->gpr[MSHV_SIM_X86_RAX];

	if (c->insn.opcode == 0x98) {
		x86_reg_set(c, MSHV_SIM_X86_RAX, size,
			    x86_sext(rax, size / 2));
		return 0;
	}
	x86_reg_set(c, MSHV_SIM_X86_RDX, size,
		    rax & x86_sign_bit(size) ? ~0ULL : 0);
	return 0;
}

/* FE/FF /0 /1 INC, DEC r/m; 40-4F INC, DEC reg outside 64-bit mode */
static int x86_exec_incdec(struct x86_ctx *c)
{
	u64 val, rflags = c->cpu->rflags;
	struct x86_op dst;
	bool dec;
	int ret;

	if (c->insn.opcode < 0x50) {
		x86_op_gpr(&dst, c->insn.opcode & 7, c->insn.op_size);
		dec = c->insn.opcode & 8;
	} else {
		x86_op_rm(c, &dst, x86_size_bw(c));
		dec = c->insn.reg & 1;
	}
	ret = x86_op_read(c, &dst, &val);
	if (ret)
		return ret;
	val = x86_incdec(val, dec, dst.size, &rflags);
	ret = x86_op_write(c, &dst, val);
	if (!ret)
		c->cpu->rflags = rflags;
	return ret;
}

/* C0 C1 D0-D3: shifts and rotates */
static int x86_exec_shift(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode, size = x86_size_bw(c), cnt;
	u64 val, rflags = c->cpu->rflags;
	struct x86_op dst;
	int ret;

	if (opc < 0xd0)
		cnt = c->insn.imm;
	else if (opc < 0xd2)
		cnt = 1;
	else
		cnt = c->cpu->gpr[MSHV_SIM_X86_RCX];
	cnt &= size == 8 ? 0x3f : 0x1f;
	x86_op_rm(c, &dst, size);
	ret = x86_op_read(c, &dst, &val);
	if (ret)
		return ret;
	val = x86_shift_rotate(c->insn.reg & 7, val, cnt, size, &rflags);
	ret = x86_op_write(c, &dst, val);
	if (!ret)
		c->cpu->rflags = rflags;
	return ret;
}

/* Signed product of two @size values as a 128-bit hi:lo; true on overflow */
static bool x86_imul_full(u64 a, u64 b, u8 size, u64 *lo, u64 *hi)
{
	u64 sa = x86_sext(a, size), sb = x86_sext(b, size);
	bool neg = (sa ^ sb) >> 63;

	x86_mul128((s64)sa < 0 ? -sa : sa, (s64)sb < 0 ? -sb : sb, lo, hi);
	if (neg)
		x86_neg128(hi, lo);
	if (size == 8)
		return *hi != (u64)((s64)*lo >> 63);
	return x86_sext(*lo, size) != *lo;
}

static u64 x86_flags_cf_of(u64 rflags, bool set)
{
	return x86_flags_merge(rflags, set ? F_CF | F_OF : 0, F_CF | F_OF);
}

/* Store a double-width result: AX for bytes, else rDX:rAX */
static void x86_store_wide(struct x86_ctx *c, u8 size, u64 lo, u64 hi)
{
	if (size == 1) {
		x86_gpr_write(&c->cpu->gpr[MSHV_SIM_X86_RAX], 2,
			      (lo & 0xff) | ((hi & 0xff) << 8));
		return;
	}
	x86_gpr_write(&c->cpu->gpr[MSHV_SIM_X86_RAX], size, lo);
	x86_gpr_write(&c->cpu->gpr[MSHV_SIM_X86_RDX], size, hi);
}

/* F6/F7 /4 MUL, /5 IMUL */
static void x86_mul(struct x86_ctx *c, u64 src, u8 size, bool sign)
{
	u64 a = c->cpu->gpr[MSHV_SIM_X86_RAX] & x86_mask(size), lo, hi;
	bool ovf;

	if (sign) {
		ovf = x86_imul_full(a, src, size, &lo, &hi);
	} else {
		x86_mul128(a, src, &lo, &hi);
		ovf = size == 8 ? hi : lo >> (size * 8);
	}
	if (size < 8)
		hi = lo >> (size * 8);
	x86_store_wide(c, size, lo, hi);
	c->cpu->rflags = x86_flags_cf_of(c->cpu->rflags, ovf);
}

/* The dividend of DIV/IDIV, as a 128-bit hi:lo */
static void x86_dividend(const struct x86_ctx *c, u8 size, bool sign,
			 u64 *hi, u64 *lo)
{
	const u64 *gpr = c->cpu->gpr;
	u64 v;

	if (size == 8) {
		*hi = gpr[MSHV_SIM_X86_RDX];
		*lo = gpr[MSHV_SIM_X86_RAX];
		return;
	}
	if (size == 1)
		v = gpr[MSHV_SIM_X86_RAX] & 0xffff;
	else
		v = (gpr[MSHV_SIM_X86_RAX] & x86_mask(size)) |
		    ((gpr[MSHV_SIM_X86_RDX] & x86_mask(size)) << (size * 8));
	*lo = sign ? x86_sext(v, size * 2) : v;
	*hi = sign && (s64)*lo < 0 ? ~0ULL : 0;
}

/* F6/F7 /6 DIV, /7 IDIV; #DE on a zero divisor or a quotient overflow */
static int x86_div(struct x86_ctx *c, u64 src, u8 size, bool sign)
{
	u64 hi, lo, d = src, q, r, limit = x86_mask(size);
	bool qneg = false, rneg = false;

	x86_dividend(c, size, sign, &hi, &lo);
	if (sign) {
		d = x86_sext(src, size);
		rneg = (s64)hi < 0;
		qneg = rneg != ((s64)d < 0);
		if (rneg)
			x86_neg128(&hi, &lo);
		if ((s64)d < 0)
			d = -d;
		limit = x86_sign_bit(size) - !qneg;
	}
	if (!x86_div128(hi, lo, d, &q, &r) || q > limit)
		return x86_exception(c, MSHV_SIM_X86_DE, false, 0);
	if (qneg)
		q = -q;
	if (rneg)
		r = -r;
	x86_store_wide(c, size, q, r);
	return 0;
}

/* F6/F7: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV */
static int x86_exec_group3(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c), op = c->insn.reg & 7;
	u64 val, rflags = c->cpu->rflags;
	struct x86_op dst;
	int ret;

	x86_op_rm(c, &dst, size);
	if (op < 2)
		return x86_alu_apply(c, X86_AND, &dst, x86_imm(c, size), true);
	ret = x86_op_read(c, &dst, &val);
	if (ret)
		return ret;
	switch (op) {
	case 2:
		return x86_op_write(c, &dst, ~val);
	case 3:
		val = x86_alu(X86_SUB, 0, val, size, &rflags);
		ret = x86_op_write(c, &dst, val);
		if (!ret)
			c->cpu->rflags = rflags;
		return ret;
	case 4: case 5:
		x86_mul(c, val, size, op == 5);
		return 0;
	}
	return x86_div(c, val, size, op == 7);
}

/* 0F AF IMUL reg, r/m; 69/6B IMUL reg, r/m, imm */
static int x86_exec_imul(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	struct x86_op dst, src;
	u64 a, b, lo, hi;
	bool ovf;
	int ret;

	x86_op_rm(c, &src, size);
	x86_op_reg(c, &dst, size);
	ret = x86_op_read(c, &src, &a);
	if (ret)
		return ret;
	if (c->insn.map == 1)
		b = x86_reg_get(c, dst.reg, size);
	else
		b = x86_imm(c, size);
	ovf = x86_imul_full(a, b, size, &lo, &hi);
	x86_op_write(c, &dst, lo);
	c->cpu->rflags = x86_flags_cf_of(c->cpu->rflags, ovf);
	return 0;
}

/* 0F B0/B1 CMPXCHG */
static int x86_exec_cmpxchg(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c);
	u64 dval, sval, acc, rflags = c->cpu->rflags;
	struct x86_op dst, src;
	bool eq;
	int ret;

	x86_op_rm(c, &dst, size);
	x86_op_reg(c, &src, size);
	ret = x86_op_read(c, &dst, &dval);
	if (ret)
		return ret;
	x86_op_read(c, &src, &sval);
	acc = x86_reg_get(c, MSHV_SIM_X86_RAX, size);
	x86_alu(X86_CMP, acc, dval, size, &rflags);
	eq = acc == dval;
	/* the destination is written back either way */
	ret = x86_op_write(c, &dst, eq ? sval : dval);
	if (ret)
		return ret;
	if (!eq)
		x86_reg_set(c, MSHV_SIM_X86_RAX, size, dval);
	c->cpu->rflags = rflags;
	return 0;
}

/* 0F C0/C1 XADD */
static int x86_exec_xadd(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c);
	u64 dval, sval, sum, rflags = c->cpu->rflags;
	struct x86_op dst, src;
	int ret;

	x86_op_rm(c, &dst, size);
	x86_op_reg(c, &src, size);
	ret = x86_op_read(c, &dst, &dval);
	if (ret)
		return ret;
	x86_op_read(c, &src, &sval);
	sum = x86_alu(X86_ADD, dval, sval, size, &rflags);
	if (dst.mem) {
		ret = x86_op_write(c, &dst, sum);
		if (ret)
			return ret;
	}
	x86_op_write(c, &src, dval);
	if (!dst.mem)
		x86_op_write(c, &dst, sum);
	c->cpu->rflags = rflags;
	return 0;
}

/* 0F C8-CF BSWAP */
static int x86_exec_bswap(struct x86_ctx *c)
{
	u8 reg = (c->insn.opcode & 7) | ((c->insn.rex & 1) << 3);
	u64 val = c->cpu->gpr[reg];

	if (c->insn.op_size == 2)
		return x86_unsupported(c);	/* undefined result */
	if (c->insn.op_size == 8)
		c->cpu->gpr[reg] = swab64(val);
	else
		c->cpu->gpr[reg] = swab32(val);
	return 0;
}

/* 0F A3/AB/B3/BB BT/BTS/BTR/BTC r/m, reg; 0F BA /4-/7 with imm8 */
static int x86_exec_bt(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, bits = size * 8, op;
	u64 val, off, rflags = c->cpu->rflags, bit;
	struct x86_op dst;
	int ret;

	x86_op_rm(c, &dst, size);
	if (c->insn.opcode == 0xba) {
		if (c->insn.reg < 4)
			return x86_ud(c);
		op = c->insn.reg & 3;
		off = c->insn.imm & (bits - 1);
	} else {
		op = (c->insn.opcode >> 3) & 3;
		off = x86_reg_get(c, c->insn.reg, size);
		if (dst.mem) {
			/* a register bit offset may address other words */
			dst.off += (u64)((s64)x86_sext(off, size) >> ilog2(bits)) *
				   size;
			dst.off &= x86_mask(c->insn.addr_size);
		}
		off &= bits - 1;
	}
	ret = x86_op_read(c, &dst, &val);
	if (ret)
		return ret;
	bit = BIT_ULL(off);
	rflags = x86_flags_merge(rflags, val & bit ? F_CF : 0, F_CF);
	if (op) {
		val = op == 1 ? val | bit : op == 2 ? val & ~bit : val ^ bit;
		ret = x86_op_write(c, &dst, val);
		if (ret)
			return ret;
	}
	c->cpu->rflags = rflags;
	return 0;
}

/*
 * 0F A4/A5 SHLD, 0F AC/AD SHRD r/m, reg, imm8/CL: shift r/m, filling the
 * vacated bits from reg. A zero count changes nothing; a 16-bit count
 * above 16 has no defined result and is not run.
 */
static int x86_exec_shxd(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, bits = size * 8, cnt;
	bool left = c->insn.opcode < 0xa8;
	u64 dval, sval, res, f, mask = x86_mask(size);
	struct x86_op dst, src;
	bool cf;
	int ret;

	cnt = c->insn.opcode & 1 ? c->cpu->gpr[MSHV_SIM_X86_RCX] :
				   c->insn.imm;
	cnt &= size == 8 ? 0x3f : 0x1f;
	if (cnt > bits)
		return x86_unsupported(c);
	x86_op_rm(c, &dst, size);
	x86_op_reg(c, &src, size);
	ret = x86_op_read(c, &dst, &dval);
	if (ret || !cnt)
		return ret;
	x86_op_read(c, &src, &sval);
	if (left) {
		res = (dval << cnt) & mask;
		if (cnt < bits)
			res |= sval >> (bits - cnt);
		cf = (dval >> (bits - cnt)) & 1;
	} else {
		res = dval >> cnt;
		if (cnt < bits)
			res |= (sval << (bits - cnt)) & mask;
		cf = (dval >> (cnt - 1)) & 1;
	}
	f = x86_flags_szp(res, size);
	if (cf)
		f |= F_CF;
	/* OF as defined for a count of 1: the sign changed */
	if ((res ^ dval) & x86_sign_bit(size))
		f |= F_OF;
	ret = x86_op_write(c, &dst, res);
	if (!ret)
		c->cpu->rflags = x86_flags_merge(c->cpu->rflags, f, F_ARITH);
	return ret;
}

/*
 * 0F BC BSF, 0F BD BSR: index of the lowest or highest set bit. A zero
 * source sets ZF and leaves the destination as it was; the other
 * arithmetic flags are left unchanged.
 */
static int x86_exec_bsx(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	struct x86_op dst, src;
	u64 val;
	int ret;

	x86_op_rm(c, &src, size);
	x86_op_reg(c, &dst, size);
	ret = x86_op_read(c, &src, &val);
	if (ret)
		return ret;
	if (!val) {
		c->cpu->rflags |= F_ZF;
		return 0;
	}
	x86_op_write(c, &dst, c->insn.opcode == 0xbc ? __ffs64(val) :
			      fls64(val) - 1);
	c->cpu->rflags &= ~F_ZF;
	return 0;
}

/*
 * 0F C7 /1 CMPXCHG8B m64: compare EDX:EAX with m64; if equal, store
 * ECX:EBX there and set ZF, otherwise load m64 into EDX:EAX and clear ZF.
 * The memory operand is written back either way. CMPXCHG16B (REX.W) and
 * the other forms of 0F C7 are not run.
 */
static int x86_exec_group9(struct x86_ctx *c)
{
	u64 *gpr = c->cpu->gpr, old, cmp, rflags = c->cpu->rflags;
	struct x86_op dst;
	int ret;

	if ((c->insn.reg & 7) != 1 || c->insn.op_size == 8)
		return x86_unsupported(c);
	if (c->insn.mod == 3)
		return x86_ud(c);
	x86_op_rm(c, &dst, 8);
	ret = x86_op_read(c, &dst, &old);
	if (ret)
		return ret;
	cmp = ((u64)(u32)gpr[MSHV_SIM_X86_RDX] << 32) |
	      (u32)gpr[MSHV_SIM_X86_RAX];
	ret = x86_op_write(c, &dst, old == cmp ?
			   ((u64)(u32)gpr[MSHV_SIM_X86_RCX] << 32) |
			   (u32)gpr[MSHV_SIM_X86_RBX] : old);
	if (ret)
		return ret;
	if (old == cmp) {
		rflags |= F_ZF;
	} else {
		rflags &= ~F_ZF;
		x86_gpr_write(&gpr[MSHV_SIM_X86_RAX], 4, old);
		x86_gpr_write(&gpr[MSHV_SIM_X86_RDX], 4, old >> 32);
	}
	c->cpu->rflags = rflags;
	return 0;
}

/* ----------------------------------------------------------------------
 * Instructions: stack and flags
 */

/* Commit a new RSP computed by a push or pop */
static void x86_set_sp(struct x86_ctx *c, u64 sp)
{
	c->cpu->gpr[MSHV_SIM_X86_RSP] = sp;
}

/* 50-57 PUSH reg, 68/6A PUSH imm, FF /6 PUSH r/m */
static int x86_exec_push(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	struct x86_op src;
	u64 val, sp;
	int ret;

	if (c->insn.opcode == 0x68 || c->insn.opcode == 0x6a) {
		val = x86_imm(c, size);
	} else {
		if (c->insn.opcode == 0xff)
			x86_op_rm(c, &src, size);
		else
			x86_op_gpr(&src, (c->insn.opcode & 7) |
				   ((c->insn.rex & 1) << 3), size);
		ret = x86_op_read(c, &src, &val);
		if (ret)
			return ret;
	}
	ret = x86_push(c, val, size, &sp);
	if (!ret)
		x86_set_sp(c, sp);
	return ret;
}

/* 58-5F POP reg, 8F /0 POP r/m */
static int x86_exec_pop(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	u64 *rsp = &c->cpu->gpr[MSHV_SIM_X86_RSP];
	struct x86_op dst;
	u64 val, sp, old = *rsp;
	int ret;

	if (c->insn.opcode == 0x8f && (c->insn.reg & 7))
		return x86_unsupported(c);
	ret = x86_pop(c, size, &val, &sp);
	if (ret)
		return ret;
	if (c->insn.opcode == 0x8f) {
		/* the address is computed with RSP already incremented */
		*rsp = sp;
		x86_op_rm(c, &dst, size);
		*rsp = old;
	} else {
		x86_op_gpr(&dst, (c->insn.opcode & 7) |
			   ((c->insn.rex & 1) << 3), size);
	}
	if (dst.mem) {
		ret = x86_op_write(c, &dst, val);
		if (ret)
			return ret;
	}
	x86_set_sp(c, sp);
	if (!dst.mem)
		x86_op_write(c, &dst, val);
	return 0;
}

/*
 * 60 PUSHA/PUSHAD: push AX, CX, DX, BX, the original SP, BP, SI and DI
 * (invalid in 64-bit mode, which the decoder rejects).
 */
static int x86_exec_pusha(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, buf[32];
	int i, ret;
	u64 sp;

	/* DI ends up at the lowest address */
	for (i = 0; i < 8; i++)
		x86_le_put(buf + i * size, c->cpu->gpr[7 - i], size);
	ret = x86_push_bytes(c, buf, 8 * size, &sp);
	if (!ret)
		x86_set_sp(c, sp);
	return ret;
}

/* 61 POPA/POPAD: the reverse of PUSHA; the saved SP is skipped. */
static int x86_exec_popa(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, buf[32];
	int i, ret;
	u64 sp;

	ret = x86_pop_bytes(c, buf, 8 * size, &sp);
	if (ret)
		return ret;
	for (i = 0; i < 8; i++) {
		if (7 - i != MSHV_SIM_X86_RSP)
			x86_gpr_write(&c->cpu->gpr[7 - i], size,
				      x86_le_get(buf + i * size, size));
	}
	x86_set_sp(c, sp);
	return 0;
}

/* 06/0E/16/1E, 0F A0/A8: PUSH Sreg */
static int x86_exec_push_sreg(struct x86_ctx *c, int sreg)
{
	u64 sp;
	int ret;

	ret = x86_push(c, c->cpu->seg[sreg].selector, c->insn.op_size, &sp);
	if (!ret)
		x86_set_sp(c, sp);
	return ret;
}

/* 07/17/1F, 0F A1/A9: POP Sreg */
static int x86_exec_pop_sreg(struct x86_ctx *c, int sreg)
{
	u64 val, sp;
	int ret;

	ret = x86_pop(c, c->insn.op_size, &val, &sp);
	if (!ret)
		ret = x86_set_sreg(c, sreg, val);
	if (ret)
		return ret;
	x86_set_sp(c, sp);
	if (sreg == MSHV_SIM_X86_SS)
		c->shadow = true;
	return 0;
}

/* C9 LEAVE */
static int x86_exec_leave(struct x86_ctx *c)
{
	u64 *gpr = c->cpu->gpr, old = gpr[MSHV_SIM_X86_RSP], val, sp;
	u64 mask = x86_mask(x86_stack_asize(c));
	int ret;

	gpr[MSHV_SIM_X86_RSP] = (old & ~mask) | (gpr[MSHV_SIM_X86_RBP] & mask);
	ret = x86_pop(c, c->insn.op_size, &val, &sp);
	if (ret) {
		gpr[MSHV_SIM_X86_RSP] = old;
		return ret;
	}
	x86_set_sp(c, sp);
	x86_gpr_write(&gpr[MSHV_SIM_X86_RBP], c->insn.op_size, val);
	return 0;
}

/* The RFLAGS value an instruction may load (POPF, IRET) */
static u64 x86_loadable_flags(const struct x86_ctx *c, u64 old, u64 val,
			      u8 size, bool iret)
{
	u64 iopl = (old & MSHV_SIM_X86_FLAG_IOPL) >> 12;
	u64 mask = F_ARITH | F_TF | F_DF | MSHV_SIM_X86_FLAG_NT |
		   MSHV_SIM_X86_FLAG_AC | MSHV_SIM_X86_FLAG_ID;

	if (iret)
		mask |= MSHV_SIM_X86_FLAG_RF;
	if (c->cpl == 0) {
		mask |= MSHV_SIM_X86_FLAG_IOPL | F_IF;
		if (iret)
			mask |= MSHV_SIM_X86_FLAG_VIF | MSHV_SIM_X86_FLAG_VIP;
	} else if (c->cpl <= iopl) {
		mask |= F_IF;
	}
	if (size == 2)
		mask &= 0xffff;
	old &= ~MSHV_SIM_X86_FLAG_RF;
	return ((old & ~mask) | (val & mask)) | MSHV_SIM_X86_FLAG_FIXED;
}

/* 9C PUSHF */
static int x86_exec_pushf(struct x86_ctx *c)
{
	u64 val = c->cpu->rflags & ~(MSHV_SIM_X86_FLAG_RF | MSHV_SIM_X86_FLAG_VM);
	u64 sp;
	int ret;

	ret = x86_push(c, val, c->insn.op_size, &sp);
	if (!ret)
		x86_set_sp(c, sp);
	return ret;
}

/* 9D POPF */
static int x86_exec_popf(struct x86_ctx *c)
{
	u64 val, sp;
	int ret;

	ret = x86_pop(c, c->insn.op_size, &val, &sp);
	if (ret)
		return ret;
	x86_set_sp(c, sp);
	c->cpu->rflags = x86_loadable_flags(c, c->cpu->rflags, val,
					    c->insn.op_size, false);
	return 0;
}

/* 9E SAHF, 9F LAHF */
static int x86_exec_ahf(struct x86_ctx *c)
{
	u64 *rax = &c->cpu->gpr[MSHV_SIM_X86_RAX];
	u64 low = F_SF | F_ZF | F_AF | F_PF | F_CF;

	if (c->insn.opcode == 0x9f) {
		*rax = (*rax & ~0xff00ULL) |
		       (((c->cpu->rflags & low) | MSHV_SIM_X86_FLAG_FIXED) << 8);
		return 0;
	}
	c->cpu->rflags = x86_flags_merge(c->cpu->rflags, *rax >> 8, low);
	return 0;
}

/* IOPL check of CLI, STI and port I/O in protected mode */
static bool x86_iopl_ok(const struct x86_ctx *c)
{
	u64 iopl = (c->cpu->rflags & MSHV_SIM_X86_FLAG_IOPL) >> 12;

	return c->mode == MSHV_SIM_X86_MODE_REAL || c->cpl <= iopl;
}

/* F5 CMC, F8-FD CLC STC CLI STI CLD STD */
static int x86_exec_flag_op(struct x86_ctx *c)
{
	u64 *rflags = &c->cpu->rflags;

	switch (c->insn.opcode) {
	case 0xf5:
		*rflags ^= F_CF;
		break;
	case 0xf8:
	case 0xf9:
		*rflags = x86_flags_merge(*rflags, c->insn.opcode & 1 ? F_CF : 0,
					  F_CF);
		break;
	case 0xfa:
	case 0xfb:
		if (!x86_iopl_ok(c))
			return x86_gp(c, 0);
		if (c->insn.opcode == 0xfa) {
			*rflags &= ~F_IF;
			break;
		}
		c->shadow = !(*rflags & F_IF);
		*rflags |= F_IF;
		break;
	default:
		*rflags = x86_flags_merge(*rflags, c->insn.opcode & 1 ? F_DF : 0,
					  F_DF);
		break;
	}
	return 0;
}

/* ----------------------------------------------------------------------
 * Instructions: control transfers
 */

/* Condition code @cc (low nibble of Jcc, SETcc, CMOVcc) */
static bool x86_cond(const struct x86_ctx *c, u8 cc)
{
	u64 f = c->cpu->rflags;
	bool res;

	switch ((cc >> 1) & 7) {
	case 0:
		res = f & F_OF;
		break;
	case 1:
		res = f & F_CF;
		break;
	case 2:
		res = f & F_ZF;
		break;
	case 3:
		res = f & (F_CF | F_ZF);
		break;
	case 4:
		res = f & F_SF;
		break;
	case 5:
		res = f & F_PF;
		break;
	case 6:
		res = !(f & F_SF) != !(f & F_OF);
		break;
	default:
		res = (f & F_ZF) || (!(f & F_SF) != !(f & F_OF));
		break;
	}
	return (cc & 1) ? !res : res;
}

/* Set the next RIP to a near target; #GP(0) if not canonical. */
static int x86_near_target(struct x86_ctx *c, u64 target)
{
	target &= x86_mask(c->insn.op_size);
	if (x86_is64(c) && !x86_canonical(target))
		return x86_gp(c, 0);
	c->next_rip = target;
	return 0;
}

/* 70-7F, 0F 80-8F Jcc; E9/EB JMP rel */
static int x86_exec_jump_rel(struct x86_ctx *c, bool taken)
{
	if (!taken)
		return 0;
	return x86_near_target(c, c->next_rip + x86_sext(c->insn.imm,
							 c->insn.imm_size));
}

/* E0-E2 LOOPNE, LOOPE, LOOP; E3 JCXZ/JECXZ/JRCXZ */
static int x86_exec_loop(struct x86_ctx *c)
{
	u8 asize = c->insn.addr_size, opc = c->insn.opcode;
	u64 *rcx = &c->cpu->gpr[MSHV_SIM_X86_RCX];
	u64 cnt = *rcx & x86_mask(asize);
	bool taken, zf = c->cpu->rflags & F_ZF;
	int ret;

	if (opc == 0xe3)
		return x86_exec_jump_rel(c, !cnt);
	cnt = (cnt - 1) & x86_mask(asize);
	taken = cnt && (opc == 0xe2 || (opc == 0xe1 ? zf : !zf));
	ret = x86_exec_jump_rel(c, taken);
	if (!ret)
		x86_gpr_write(rcx, asize, cnt);
	return ret;
}

/* E8 CALL rel, FF /2 CALL r/m */
static int x86_exec_call_near(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	u64 ret_rip = c->next_rip, target, sp;
	struct x86_op src;
	int ret;

	if (c->insn.opcode == 0xe8) {
		target = c->next_rip + x86_sext(c->insn.imm, c->insn.imm_size);
	} else {
		x86_op_rm(c, &src, size);
		ret = x86_op_read(c, &src, &target);
		if (ret)
			return ret;
	}
	ret = x86_near_target(c, target);
	if (!ret)
		ret = x86_push(c, ret_rip, size, &sp);
	if (ret)
		return ret;
	x86_set_sp(c, sp);
	return 0;
}

/* FF /4 JMP r/m */
static int x86_exec_jump_ind(struct x86_ctx *c)
{
	struct x86_op src;
	u64 target;
	int ret;

	x86_op_rm(c, &src, c->insn.op_size);
	ret = x86_op_read(c, &src, &target);
	if (!ret)
		ret = x86_near_target(c, target);
	return ret;
}

/* C2/C3 RET [imm16] */
static int x86_exec_ret_near(struct x86_ctx *c)
{
	u64 target, sp;
	int ret;

	ret = x86_pop(c, c->insn.op_size, &target, &sp);
	if (!ret)
		ret = x86_near_target(c, target);
	if (ret)
		return ret;
	if (c->insn.opcode == 0xc2)
		sp = x86_sp_add(c, sp, c->insn.imm);
	x86_set_sp(c, sp);
	return 0;
}

/*
 * The CS a far transfer loads: real mode takes the selector as is; in
 * protected mode only code segments of the current privilege level
 * (conforming ones of a higher one) are accepted, no gates.
 */
static int x86_far_cs(struct x86_ctx *c, u16 sel, u8 new_cpl,
		      struct mshv_sim_x86_seg *cs)
{
	u8 dpl;
	int ret;

	*cs = c->cpu->seg[MSHV_SIM_X86_CS];
	if (c->mode == MSHV_SIM_X86_MODE_REAL) {
		x86_real_seg(cs, sel);
		return 0;
	}
	ret = x86_load_code_seg(c, sel, cs);
	if (ret)
		return ret;
	dpl = x86_seg_dpl(cs->attributes);
	if ((cs->attributes & 4) ? dpl > new_cpl : dpl != new_cpl)
		return x86_gp(c, sel & 0xfffc);
	if ((cs->attributes & MSHV_SIM_X86_SEG_L) &&
	    !(c->cpu->efer & MSHV_SIM_X86_EFER_LMA))
		return x86_gp(c, sel & 0xfffc);
	cs->selector = (sel & ~3) | new_cpl;
	return 0;
}

/* 9A CALL ptr16:16/32, EA JMP ptr16:16/32 (outside 64-bit mode) */
static int x86_exec_far_direct(struct x86_ctx *c)
{
	u8 size = c->insn.op_size;
	struct mshv_sim_x86_seg cs;
	u64 target = c->insn.imm, sp = 0;
	u8 frame[8];
	int ret;

	if (c->mode != MSHV_SIM_X86_MODE_REAL && (c->insn.imm2 & 3) > c->cpl)
		return x86_gp(c, c->insn.imm2 & 0xfffc);
	ret = x86_far_cs(c, c->insn.imm2, c->cpl, &cs);
	if (ret)
		return ret;
	if (c->insn.opcode == 0x9a) {
		/* return address below the caller's CS */
		x86_le_put(frame, c->next_rip, size);
		x86_le_put(frame + size, c->cpu->seg[MSHV_SIM_X86_CS].selector,
			   size);
		ret = x86_push_bytes(c, frame, 2 * size, &sp);
		if (ret)
			return ret;
		x86_set_sp(c, sp);
	}
	c->cpu->seg[MSHV_SIM_X86_CS] = cs;
	c->next_rip = target & x86_mask(size);
	return 0;
}

/* CA/CB RET far [imm16], same privilege only */
static int x86_exec_ret_far(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, frame[16];
	struct mshv_sim_x86_seg cs;
	u64 sp;
	u16 sel;
	int ret;

	ret = x86_pop_bytes(c, frame, 2 * size, &sp);
	if (ret)
		return ret;
	sel = x86_le_get(frame + size, 2);
	if (c->mode != MSHV_SIM_X86_MODE_REAL && (sel & 3) != c->cpl)
		return x86_unsupported(c);
	ret = x86_far_cs(c, sel, c->cpl, &cs);
	if (ret)
		return ret;
	if (c->insn.opcode == 0xca)
		sp = x86_sp_add(c, sp, c->insn.imm);
	x86_set_sp(c, sp);
	c->cpu->seg[MSHV_SIM_X86_CS] = cs;
	c->next_rip = x86_le_get(frame, size);
	return 0;
}

/* ----------------------------------------------------------------------
 * Interrupt and exception delivery, IRET
 */

#define X86_GATE_INT64	0xe
#define X86_GATE_TRAP64	0xf

/* Error code of a fault on IDT entry @vector; EXT for external events */
static u32 x86_idt_error(u8 vector, bool soft)
{
	return vector * 8 + 2 + !soft;
}

/* Real mode: through the IVT, pushing FLAGS, CS, IP. */
static int x86_deliver_real(struct x86_ctx *c, u8 vector, u64 ret_rip)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	u8 ivt[4], frame[6];
	u64 sp;
	int ret;

	if (vector * 4 + 3 > cpu->idtr.limit)
		return x86_gp(c, 0);
	ret = x86_lin_read(c, cpu->idtr.base + vector * 4, ivt, 4,
			   MSHV_SIM_ACCESS_READ, true);
	if (ret)
		return ret;
	x86_le_put(frame, ret_rip, 2);
	x86_le_put(frame + 2, cpu->seg[MSHV_SIM_X86_CS].selector, 2);
	x86_le_put(frame + 4, cpu->rflags, 2);
	ret = x86_push_bytes(c, frame, 6, &sp);
	if (ret)
		return ret;
	x86_set_sp(c, sp);
	x86_real_seg(&cpu->seg[MSHV_SIM_X86_CS], x86_le_get(ivt + 2, 2));
	c->next_rip = x86_le_get(ivt, 2);
	cpu->rflags &= ~(F_IF | F_TF | MSHV_SIM_X86_FLAG_AC |
			 MSHV_SIM_X86_FLAG_RF);
	return 0;
}

/**
 * struct x86_gate - a decoded 64-bit IDT gate
 * @offset: handler RIP
 * @selector: handler CS
 * @type: gate type (14 interrupt, 15 trap)
 * @dpl: gate privilege level
 * @present: P bit
 * @ist: interrupt stack table index (0: none)
 */
struct x86_gate {
	u64 offset;
	u16 selector;
	u8 type;
	u8 dpl;
	bool present;
	u8 ist;
};

static int x86_read_gate(struct x86_ctx *c, u8 vector, struct x86_gate *g)
{
	u8 b[16];
	u64 lo, hi;
	int ret;

	ret = x86_lin_read(c, c->cpu->idtr.base + vector * 16, b, 16,
			   MSHV_SIM_ACCESS_READ, true);
	if (ret)
		return ret;
	lo = x86_le_get(b, 8);
	hi = x86_le_get(b + 8, 8);
	g->offset = (lo & 0xffff) | ((lo >> 32) & 0xffff0000) | (hi << 32);
	g->selector = (lo >> 16) & 0xffff;
	g->ist = (lo >> 32) & 7;
	g->type = (lo >> 40) & 0x1f;
	g->dpl = (lo >> 45) & 3;
	g->present = lo & BIT_ULL(47);
	return 0;
}

/* RSP for the handler: IST slot, or RSPn of the TSS on a privilege change */
static int x86_handler_rsp(struct x86_ctx *c, const struct x86_gate *g,
			   u8 new_cpl, u64 *rsp)
{
	u64 off;
	u8 b[8];
	int ret;

	if (!g->ist && new_cpl == c->cpl) {
		*rsp = c->cpu->gpr[MSHV_SIM_X86_RSP];
		return 0;
	}
	off = g->ist ? 0x24 + 8 * (g->ist - 1) : 4 + 8 * new_cpl;
	if (off + 7 > c->cpu->tr.limit)
		return x86_exception(c, MSHV_SIM_X86_TS, true,
				     c->cpu->tr.selector & 0xfffc);
	ret = x86_lin_read(c, c->cpu->tr.base + off, b, 8,
			   MSHV_SIM_ACCESS_READ, true);
	if (!ret)
		*rsp = x86_le_get(b, 8);
	return ret;
}

/* Check a 64-bit gate and load its code segment. */
static int x86_gate_cs(struct x86_ctx *c, const struct x86_gate *g, u8 vector,
		       bool soft, struct mshv_sim_x86_seg *cs)
{
	u32 err = x86_idt_error(vector, soft);
	int ret;

	if (g->type != X86_GATE_INT64 && g->type != X86_GATE_TRAP64)
		return x86_gp(c, err);
	if (soft && g->dpl < c->cpl)
		return x86_gp(c, err);
	if (!g->present)
		return x86_exception(c, MSHV_SIM_X86_NP, true, err);
	if (!(g->selector & 0xfffc))
		return x86_gp(c, !soft);
	ret = x86_load_code_seg(c, g->selector, cs);
	if (ret)
		return ret;
	if (!(cs->attributes & MSHV_SIM_X86_SEG_L) ||
	    (cs->attributes & MSHV_SIM_X86_SEG_DB) ||
	    x86_seg_dpl(cs->attributes) > c->cpl)
		return x86_gp(c, (g->selector & 0xfffc) | (soft ? 0 : 1));
	if (!x86_canonical(g->offset))
		return x86_gp(c, !soft);
	return 0;
}

/* IA-32e mode: through a 64-bit interrupt or trap gate */
static int x86_deliver_long(struct x86_ctx *c, u8 vector, bool soft,
			    bool has_err, u32 err, u64 ret_rip)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	struct mshv_sim_x86_seg cs;
	struct x86_gate g;
	u8 frame[48], *p = frame, new_cpl;
	u64 rsp;
	int ret;

	if (vector * 16 + 15 > cpu->idtr.limit)
		return x86_gp(c, x86_idt_error(vector, soft));
	ret = x86_read_gate(c, vector, &g);
	if (!ret)
		ret = x86_gate_cs(c, &g, vector, soft, &cs);
	if (ret)
		return ret;
	new_cpl = cs.attributes & 4 ? c->cpl : x86_seg_dpl(cs.attributes);
	ret = x86_handler_rsp(c, &g, new_cpl, &rsp);
	if (ret)
		return ret;
	rsp &= ~0xfULL;
	if (has_err) {
		x86_le_put(p, err, 8);
		p += 8;
	}
	x86_le_put(p, ret_rip, 8);
	x86_le_put(p + 8, cpu->seg[MSHV_SIM_X86_CS].selector, 8);
	x86_le_put(p + 16, cpu->rflags, 8);
	x86_le_put(p + 24, cpu->gpr[MSHV_SIM_X86_RSP], 8);
	x86_le_put(p + 32, cpu->seg[MSHV_SIM_X86_SS].selector, 8);
	rsp -= p + 40 - frame;
	if (!x86_canonical(rsp))
		return x86_exception(c, MSHV_SIM_X86_SS_VEC, true, !soft);
	ret = x86_lin_write(c, rsp, frame, p + 40 - frame, true);
	if (ret)
		return ret;
	if (new_cpl != c->cpl)
		cpu->seg[MSHV_SIM_X86_SS] = (struct mshv_sim_x86_seg){
			.selector = new_cpl };
	cs.selector = (cs.selector & ~3) | new_cpl;
	cpu->seg[MSHV_SIM_X86_CS] = cs;
	x86_set_sp(c, rsp);
	c->next_rip = g.offset;
	cpu->rflags &= ~(F_TF | MSHV_SIM_X86_FLAG_NT | MSHV_SIM_X86_FLAG_RF |
			 MSHV_SIM_X86_FLAG_VM);
	if (g.type == X86_GATE_INT64)
		cpu->rflags &= ~F_IF;
	return 0;
}

/*
 * Deliver @vector: the new CS:RIP goes to c->next_rip and the CPU; the
 * return address pushed is @ret_rip. Nothing changes if it fails.
 */
static int x86_deliver_event(struct x86_ctx *c, u8 vector, bool soft,
			     bool has_err, u32 err, u64 ret_rip)
{
	if (c->mode == MSHV_SIM_X86_MODE_REAL)
		return x86_deliver_real(c, vector, ret_rip);
	if (c->cpu->efer & MSHV_SIM_X86_EFER_LMA)
		return x86_deliver_long(c, vector, soft, has_err, err, ret_rip);
	return x86_unsupported(c);
}

/* CC INT3, CD INT n, CE INTO */
static int x86_exec_int(struct x86_ctx *c)
{
	u8 vector = MSHV_SIM_X86_BP;

	if (c->insn.opcode == 0xcd)
		vector = c->insn.imm;
	if (c->insn.opcode == 0xce) {
		if (!(c->cpu->rflags & F_OF))
			return 0;
		vector = MSHV_SIM_X86_OF;
	}
	return x86_deliver_event(c, vector, true, false, 0, c->next_rip);
}

/* IRET in real mode: pop IP, CS, FLAGS */
static int x86_iret_real(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, frame[12];
	u64 sp, flags;
	int ret;

	ret = x86_pop_bytes(c, frame, 3 * size, &sp);
	if (ret)
		return ret;
	flags = x86_le_get(frame + 2 * size, size);
	x86_set_sp(c, sp);
	x86_real_seg(&c->cpu->seg[MSHV_SIM_X86_CS], x86_le_get(frame + size, 2));
	c->next_rip = x86_le_get(frame, size);
	c->cpu->rflags = x86_loadable_flags(c, c->cpu->rflags, flags, size,
					    true);
	return 0;
}

/* The SS an IRET to privilege @cpl loads */
static int x86_iret_ss(struct x86_ctx *c, u16 sel, u8 cpl,
		       struct mshv_sim_x86_seg *ss)
{
	u8 old = c->cpl;
	int ret;

	c->cpl = cpl;
	ret = x86_load_data_seg(c, MSHV_SIM_X86_SS, sel, ss);
	c->cpl = old;
	return ret;
}

/*
 * IRET in protected mode and IA-32e mode, to the same or an outer
 * privilege level (64-bit mode always pops SS:RSP). No task returns.
 */
static int x86_iret_prot(struct x86_ctx *c)
{
	u8 size = c->insn.op_size, frame[40], rpl;
	struct mshv_sim_x86_seg cs, ss;
	bool pop_stack;
	u64 sp, flags;
	u16 sel;
	int ret;

	if ((c->cpu->rflags & MSHV_SIM_X86_FLAG_NT) && !x86_is64(c))
		return x86_unsupported(c);
	ret = x86_pop_bytes(c, frame, 3 * size, &sp);
	if (ret)
		return ret;
	sel = x86_le_get(frame + size, 2);
	rpl = sel & 3;
	flags = x86_le_get(frame + 2 * size, size);
	if (rpl < c->cpl)
		return x86_gp(c, sel & 0xfffc);
	if ((flags & MSHV_SIM_X86_FLAG_VM) && c->cpl == 0 && !x86_is64(c))
		return x86_unsupported(c);
	pop_stack = x86_is64(c) || rpl > c->cpl;
	if (pop_stack) {
		ret = x86_pop_bytes(c, frame, 5 * size, &sp);
		if (ret)
			return ret;
		ret = x86_iret_ss(c, x86_le_get(frame + 4 * size, 2), rpl, &ss);
		if (ret)
			return ret;
	}
	ret = x86_far_cs(c, sel, rpl, &cs);
	if (ret)
		return ret;
	if ((cs.attributes & MSHV_SIM_X86_SEG_L) &&
	    !x86_canonical(x86_le_get(frame, size)))
		return x86_gp(c, 0);
	c->cpu->rflags = x86_loadable_flags(c, c->cpu->rflags, flags, size,
					    true);
	c->cpu->seg[MSHV_SIM_X86_CS] = cs;
	if (pop_stack) {
		c->cpu->seg[MSHV_SIM_X86_SS] = ss;
		sp = x86_le_get(frame + 3 * size, size);
	}
	x86_set_sp(c, sp);
	c->next_rip = x86_le_get(frame, size);
	return 0;
}

/* CF IRET/IRETD/IRETQ */
static int x86_exec_iret(struct x86_ctx *c)
{
	int ret;

	ret = c->mode == MSHV_SIM_X86_MODE_REAL ? x86_iret_real(c) :
						  x86_iret_prot(c);
	/* IRET ends the blocking of NMIs that delivering one began. */
	if (!ret)
		c->cpu->nmi_masked = false;
	return ret;
}

/* ----------------------------------------------------------------------
 * Instructions: strings and port I/O
 */

/* Element of a string instruction: source DS:rSI, destination ES:rDI */
static void x86_str_op(const struct x86_ctx *c, bool dst, u8 size,
		       struct x86_op *op)
{
	u8 reg = dst ? MSHV_SIM_X86_RDI : MSHV_SIM_X86_RSI;

	op->mem = true;
	op->size = size;
	op->off = c->cpu->gpr[reg] & x86_mask(c->insn.addr_size);
	if (dst)
		op->seg = MSHV_SIM_X86_ES;
	else
		op->seg = c->insn.seg >= 0 ? c->insn.seg : MSHV_SIM_X86_DS;
}

/* rSI/rDI advanced by one element in the direction of DF */
static void x86_str_advance(struct x86_ctx *c, u8 reg, u8 size)
{
	s64 delta = c->cpu->rflags & F_DF ? -(s64)size : size;

	x86_gpr_write(&c->cpu->gpr[reg], c->insn.addr_size,
		      c->cpu->gpr[reg] + delta);
}

/*
 * One element of MOVS, CMPS, STOS, LODS or SCAS; registers and flags are
 * updated only after the memory accesses succeeded.
 */
static int x86_str_once(struct x86_ctx *c, u8 size)
{
	u8 opc = c->insn.opcode & 0xfe;
	u64 a = 0, b = 0, rflags = c->cpu->rflags;
	struct x86_op src, dst;
	int ret = 0;

	x86_str_op(c, false, size, &src);
	x86_str_op(c, true, size, &dst);
	if (opc == 0xa4 || opc == 0xa6 || opc == 0xac)
		ret = x86_op_read(c, &src, &a);
	if (!ret && (opc == 0xa6 || opc == 0xae))
		ret = x86_op_read(c, &dst, &b);
	if (!ret && opc == 0xa4)
		ret = x86_op_write(c, &dst, a);
	if (!ret && opc == 0xaa)
		ret = x86_op_write(c, &dst, c->cpu->gpr[MSHV_SIM_X86_RAX]);
	if (ret)
		return ret;
	if (opc == 0xa6)
		x86_alu(X86_CMP, a, b, size, &rflags);
	if (opc == 0xae)
		x86_alu(X86_CMP, c->cpu->gpr[MSHV_SIM_X86_RAX], b, size,
			&rflags);
	if (opc == 0xac)
		x86_reg_set(c, MSHV_SIM_X86_RAX, size, a);
	if (opc != 0xaa && opc != 0xae)
		x86_str_advance(c, MSHV_SIM_X86_RSI, size);
	if (opc != 0xac)
		x86_str_advance(c, MSHV_SIM_X86_RDI, size);
	c->cpu->rflags = rflags;
	return 0;
}

/* A4-A7, AA-AF: one iteration per call under REP */
static int x86_exec_string(struct x86_ctx *c)
{
	u8 size = x86_size_bw(c), asize = c->insn.addr_size;
	u8 opc = c->insn.opcode & 0xfe;
	u64 *rcx = &c->cpu->gpr[MSHV_SIM_X86_RCX];
	bool zf, repe;
	int ret;

	if (!c->insn.rep)
		return x86_str_once(c, size);
	if (!(*rcx & x86_mask(asize)))
		return 0;
	ret = x86_str_once(c, size);
	if (ret)
		return ret;
	x86_gpr_write(rcx, asize, *rcx - 1);
	zf = c->cpu->rflags & F_ZF;
	if (!(*rcx & x86_mask(asize)))
		return 0;
	repe = c->insn.rep == 0xf3;
	if ((opc == 0xa6 || opc == 0xae) && zf != repe)
		return 0;
	c->rep_again = true;
	return 0;
}

/* E4-E7, EC-EF IN/OUT; 6C-6F INS/OUTS: exit without executing */
static int x86_exec_io(struct x86_ctx *c)
{
	struct mshv_sim_x86_exit_io *io = &c->exit->io;
	u8 opc = c->insn.opcode;
	u8 size = !(opc & 1) ? 1 : c->insn.op_size == 2 ? 2 : 4;

	if (!x86_iopl_ok(c))
		return x86_gp(c, 0);
	if (opc < 0x70 && c->insn.rep &&
	    !(c->cpu->gpr[MSHV_SIM_X86_RCX] & x86_mask(c->insn.addr_size)))
		return 0;
	c->exit->reason = MSHV_SIM_X86_EXIT_IO;
	io->port = (opc & 0xf8) == 0xe0 ? c->insn.imm :
		   c->cpu->gpr[MSHV_SIM_X86_RDX] & 0xffff;
	io->size = size;
	io->write = opc & 2;
	io->string = opc < 0x70;
	io->rep = io->string && c->insn.rep;
	io->data = io->write && !io->string ?
		   c->cpu->gpr[MSHV_SIM_X86_RAX] & x86_mask(size) : 0;
	return X86_STOP;
}

/* D7 XLAT */
static int x86_exec_xlat(struct x86_ctx *c)
{
	u64 off, val;
	int ret;

	off = (c->cpu->gpr[MSHV_SIM_X86_RBX] +
	       (c->cpu->gpr[MSHV_SIM_X86_RAX] & 0xff)) &
	      x86_mask(c->insn.addr_size);
	ret = x86_read_val(c, c->insn.seg >= 0 ? c->insn.seg : MSHV_SIM_X86_DS,
			   off, 1, &val);
	if (!ret)
		x86_gpr_write(&c->cpu->gpr[MSHV_SIM_X86_RAX], 1, val);
	return ret;
}

/* 0F 40-4F CMOVcc: the source is read and the destination written always */
static int x86_exec_cmov(struct x86_ctx *c)
{
	struct x86_op src, dst;
	u64 val;
	int ret;

	x86_op_rm(c, &src, c->insn.op_size);
	x86_op_reg(c, &dst, c->insn.op_size);
	ret = x86_op_read(c, &src, &val);
	if (ret)
		return ret;
	if (!x86_cond(c, c->insn.opcode))
		val = x86_reg_get(c, dst.reg, dst.size);
	return x86_op_write(c, &dst, val);
}

/* 0F 90-9F SETcc */
static int x86_exec_setcc(struct x86_ctx *c)
{
	struct x86_op dst;

	x86_op_rm(c, &dst, 1);
	return x86_op_write(c, &dst, x86_cond(c, c->insn.opcode));
}

/* ----------------------------------------------------------------------
 * Instructions: system
 */

#define SIM_CR0_ET	BIT_ULL(4)
#define SIM_CR0_NW	BIT_ULL(29)
#define SIM_CR0_CD	BIT_ULL(30)

/* MOV CR0: the checks of the architecture, and IA-32e activation */
static int x86_write_cr0(struct x86_ctx *c, u64 val)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	bool pg = val & MSHV_SIM_X86_CR0_PG;
	u64 efer = cpu->efer;

	if ((val >> 32) || (pg && !(val & MSHV_SIM_X86_CR0_PE)) ||
	    ((val & SIM_CR0_NW) && !(val & SIM_CR0_CD)))
		return x86_gp(c, 0);
	if (pg && !(cpu->cr0 & MSHV_SIM_X86_CR0_PG) &&
	    (efer & MSHV_SIM_X86_EFER_LME)) {
		if (!(cpu->cr4 & MSHV_SIM_X86_CR4_PAE))
			return x86_gp(c, 0);
		efer |= MSHV_SIM_X86_EFER_LMA;
	}
	if (!pg && (efer & MSHV_SIM_X86_EFER_LMA)) {
		if (x86_is64(c))
			return x86_gp(c, 0);
		efer &= ~MSHV_SIM_X86_EFER_LMA;
	}
	cpu->efer = efer;
	cpu->cr0 = val | SIM_CR0_ET;
	return 0;
}

static int x86_write_cr(struct x86_ctx *c, u8 cr, u64 val)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;

	switch (cr) {
	case 0:
		return x86_write_cr0(c, val);
	case 2:
		cpu->cr2 = val;
		return 0;
	case 3:
		cpu->cr3 = val;
		return 0;
	case 4:
		if ((val >> 32) || ((cpu->efer & MSHV_SIM_X86_EFER_LMA) &&
				    !(val & MSHV_SIM_X86_CR4_PAE)))
			return x86_gp(c, 0);
		cpu->cr4 = val;
		return 0;
	}
	/* CR8 */
	if (val & ~0xfULL)
		return x86_gp(c, 0);
	cpu->cr8 = val;
	return 0;
}

/* 0F 20 MOV reg, CRn; 0F 22 MOV CRn, reg */
static int x86_exec_mov_cr(struct x86_ctx *c)
{
	const struct mshv_sim_x86_cpu *cpu = c->cpu;
	u8 cr = c->insn.reg, size = x86_is64(c) ? 8 : 4;
	u64 val;

	if (cr == 1 || (cr > 4 && cr != 8) || (cr == 8 && !x86_is64(c)))
		return x86_ud(c);
	if (x86_need_cpl0(c))
		return X86_STOP;
	if (c->insn.opcode == 0x22)
		return x86_write_cr(c, cr, x86_reg_get(c, c->insn.rm, size));
	val = cr == 0 ? cpu->cr0 : cr == 2 ? cpu->cr2 : cr == 3 ? cpu->cr3 :
	      cr == 4 ? cpu->cr4 : cpu->cr8;
	x86_reg_set(c, c->insn.rm, size, val);
	return 0;
}

/*
 * Debug registers and XCR0: the interpreter keeps them in the processor
 * state, where HvGetVpRegisters and HvSetVpRegisters reach them too. No
 * breakpoint ever fires.
 */

/* DR6 and DR7 bits that read as 1, and those that must stay 0 */
#define SIM_DR6_FIXED1	0xffff0ff0ULL
#define SIM_DR7_FIXED1	BIT_ULL(10)
#define SIM_DR7_RSVD	(GENMASK_ULL(63, 32) | BIT_ULL(11) | BIT_ULL(12) | \
			 BIT_ULL(14) | BIT_ULL(15))

/* 0F 21 MOV reg, DRn; 0F 23 MOV DRn, reg */
static int x86_exec_mov_dr(struct x86_ctx *c)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	u8 dr = c->insn.reg & 7, size = x86_is64(c) ? 8 : 4;
	bool write = c->insn.opcode == 0x23;
	u64 val;

	if (c->insn.reg > 7 ||
	    ((dr == 4 || dr == 5) && (cpu->cr4 & MSHV_SIM_X86_CR4_DE)))
		return x86_ud(c);
	if (x86_need_cpl0(c))
		return X86_STOP;
	if (dr >= 4)
		dr += dr < 6 ? 2 : 0;	/* DR4, DR5: aliases of DR6, DR7 */
	if (!write) {
		val = dr < 4 ? cpu->dr[dr] : dr == 6 ? cpu->dr6 : cpu->dr7;
		x86_reg_set(c, c->insn.rm, size, val);
		return 0;
	}
	val = x86_reg_get(c, c->insn.rm, size);
	if (dr < 4) {
		cpu->dr[dr] = val;
		return 0;
	}
	if (val >> 32)
		return x86_gp(c, 0);
	if (dr == 6) {
		cpu->dr6 = val | SIM_DR6_FIXED1;
		return 0;
	}
	if (val & SIM_DR7_RSVD)
		return x86_gp(c, 0);
	cpu->dr7 = val | SIM_DR7_FIXED1;
	return 0;
}

/* 0F 01 D0 XGETBV, 0F 01 D1 XSETBV: XCR0 only */
static int x86_exec_xcr(struct x86_ctx *c)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	u32 xcr = cpu->gpr[MSHV_SIM_X86_RCX];
	u64 val;

	if (!(cpu->cr4 & MSHV_SIM_X86_CR4_OSXSAVE))
		return x86_ud(c);
	if (c->insn.rm == 0) {
		if (xcr)
			return x86_gp(c, 0);
		cpu->gpr[MSHV_SIM_X86_RAX] = (u32)cpu->xcr0;
		cpu->gpr[MSHV_SIM_X86_RDX] = cpu->xcr0 >> 32;
		return 0;
	}
	val = (cpu->gpr[MSHV_SIM_X86_RDX] << 32) |
	      (u32)cpu->gpr[MSHV_SIM_X86_RAX];
	/* x87 always; AVX (bit 2) only with SSE (bit 1) */
	if (x86_need_cpl0(c))
		return X86_STOP;
	if (xcr || !(val & BIT_ULL(0)) || (val & ~cpu->xcr0_supported) ||
	    ((val & BIT_ULL(2)) && !(val & BIT_ULL(1))))
		return x86_gp(c, 0);
	cpu->xcr0 = val;
	return 0;
}

/* Size of the base in a pseudo-descriptor (LGDT, SGDT, ...) */
static u8 x86_dtr_base_size(const struct x86_ctx *c)
{
	return x86_is64(c) ? 8 : 4;
}

/* 0F 01 /2 LGDT, /3 LIDT */
static int x86_exec_lxdt(struct x86_ctx *c, struct mshv_sim_x86_table *t)
{
	u8 bsize = x86_dtr_base_size(c), b[10];
	struct x86_op m;
	u64 base;
	int ret;

	if (x86_need_cpl0(c))
		return X86_STOP;
	x86_op_rm(c, &m, 1);
	ret = x86_read_seg(c, m.seg, m.off, b, 2 + bsize);
	if (ret)
		return ret;
	base = x86_le_get(b + 2, bsize);
	if (c->insn.op_size == 2)
		base &= 0xffffff;
	t->limit = x86_le_get(b, 2);
	t->base = base;
	return 0;
}

/* 0F 01 /0 SGDT, /1 SIDT */
static int x86_exec_sxdt(struct x86_ctx *c, const struct mshv_sim_x86_table *t)
{
	u8 bsize = x86_dtr_base_size(c), b[10];
	struct x86_op m;

	x86_op_rm(c, &m, 1);
	x86_le_put(b, t->limit, 2);
	x86_le_put(b + 2, t->base, bsize);
	return x86_write_seg(c, m.seg, m.off, b, 2 + bsize);
}

/* 0F 01 /4 SMSW, /6 LMSW */
static int x86_exec_msw(struct x86_ctx *c)
{
	struct x86_op op;
	u64 val;
	int ret;

	if (c->insn.reg == 4) {
		x86_op_rm(c, &op, c->insn.mod == 3 ? c->insn.op_size : 2);
		return x86_op_write(c, &op, c->cpu->cr0);
	}
	if (x86_need_cpl0(c))
		return X86_STOP;
	x86_op_rm(c, &op, 2);
	ret = x86_op_read(c, &op, &val);
	if (ret)
		return ret;
	/* PE, MP, EM, TS; PE cannot be cleared */
	c->cpu->cr0 = (c->cpu->cr0 & ~0xeULL) | (val & 0xf);
	return 0;
}

/* 0F 01: the memory forms of group 7 */
static int x86_exec_group7(struct x86_ctx *c)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;

	if (c->insn.mod == 3 && (c->insn.reg & 7) == 2 && c->insn.rm < 2)
		return x86_exec_xcr(c);
	/*
	 * 0F 01 C1 VMCALL: the hypervisor's hypercall instruction; #UD in
	 * real and virtual-8086 mode and at CPL > 0, as the TLFS says.
	 */
	if (c->insn.mod == 3 && (c->insn.reg & 7) == 0 && c->insn.rm == 1) {
		if (c->mode == MSHV_SIM_X86_MODE_REAL || c->cpl)
			return x86_ud(c);
		return x86_stop(c, MSHV_SIM_X86_EXIT_VMCALL);
	}
	if (c->insn.mod == 3 && (c->insn.reg & 7) != 4 &&
	    (c->insn.reg & 7) != 6)
		return x86_unsupported(c);
	switch (c->insn.reg & 7) {
	case 0:
		return x86_exec_sxdt(c, &cpu->gdtr);
	case 1:
		return x86_exec_sxdt(c, &cpu->idtr);
	case 2:
		return x86_exec_lxdt(c, &cpu->gdtr);
	case 3:
		return x86_exec_lxdt(c, &cpu->idtr);
	case 4:
	case 6:
		return x86_exec_msw(c);
	case 7:
		/* INVLPG: there is no TLB */
		return x86_need_cpl0(c);
	}
	return x86_ud(c);
}

/* F4 HLT */
static int x86_exec_hlt(struct x86_ctx *c)
{
	if (x86_need_cpl0(c))
		return X86_STOP;
	c->halt = true;
	return 0;
}

/* 0F 31 RDTSC: exit without executing; #GP(0) at CPL > 0 with CR4.TSD */
static int x86_exec_rdtsc(struct x86_ctx *c)
{
	if ((c->cpu->cr4 & MSHV_SIM_X86_CR4_TSD) && x86_need_cpl0(c))
		return X86_STOP;
	return x86_stop(c, MSHV_SIM_X86_EXIT_RDTSC);
}

/* 0F 30 WRMSR, 0F 32 RDMSR: exit without executing */
static int x86_exec_msr(struct x86_ctx *c)
{
	if (x86_need_cpl0(c))
		return X86_STOP;
	return x86_stop(c, c->insn.opcode == 0x30 ? MSHV_SIM_X86_EXIT_WRMSR :
			MSHV_SIM_X86_EXIT_RDMSR);
}

/* 0F 06 CLTS; 0F 08 INVD, 0F 09 WBINVD (no caches to write back) */
static int x86_exec_cache_ts(struct x86_ctx *c)
{
	if (x86_need_cpl0(c))
		return X86_STOP;
	if (c->insn.opcode == 0x06)
		c->cpu->cr0 &= ~MSHV_SIM_X86_CR0_TS;
	return 0;
}

/* ----------------------------------------------------------------------
 * Dispatch
 */

/* FE/FF: INC, DEC, CALL, JMP, PUSH */
static int x86_exec_group45(struct x86_ctx *c)
{
	u8 op = c->insn.reg & 7;

	if (c->insn.opcode == 0xfe && op > 1)
		return x86_ud(c);
	switch (op) {
	case 0:
	case 1:
		return x86_exec_incdec(c);
	case 2:
	case 4:
		if (x86_is64(c))
			c->insn.op_size = 8;
		return op == 2 ? x86_exec_call_near(c) : x86_exec_jump_ind(c);
	case 6:
		if (x86_is64(c) && !c->insn.opsize_prefix)
			c->insn.op_size = 8;
		return x86_exec_push(c);
	case 7:
		return x86_ud(c);
	}
	/* far CALL/JMP through memory */
	return x86_unsupported(c);
}

/* 06/07/0E/16/17/1E/1F: PUSH and POP of ES CS SS DS */
static int x86_exec_sreg_stack(struct x86_ctx *c)
{
	int sreg = c->insn.opcode >> 3;

	if (c->insn.opcode & 1)
		return x86_exec_pop_sreg(c, sreg);
	return x86_exec_push_sreg(c, sreg);
}

/* Opcodes 00-3F */
static int x86_exec_00_3f(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;

	if ((opc & 7) < 6)
		return x86_exec_alu(c);
	if (opc < 0x20)
		return x86_exec_sreg_stack(c);
	/* DAA DAS AAA AAS */
	return x86_unsupported(c);
}

static int x86_exec_map0_low(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;

	if (opc < 0x40)
		return x86_exec_00_3f(c);
	if (opc < 0x50)
		return x86_exec_incdec(c);
	if (opc < 0x58)
		return x86_exec_push(c);
	if (opc < 0x60)
		return x86_exec_pop(c);
	switch (opc) {
	case 0x60:
		return x86_exec_pusha(c);
	case 0x61:
		return x86_exec_popa(c);
	case 0x63:
		return x86_exec_movx(c);
	case 0x68:
	case 0x6a:
		return x86_exec_push(c);
	case 0x69:
	case 0x6b:
		return x86_exec_imul(c);
	case 0x6c ... 0x6f:
		return x86_exec_io(c);
	}
	if (opc >= 0x70 && opc < 0x80)
		return x86_exec_jump_rel(c, x86_cond(c, opc));
	return x86_unsupported(c);
}

static int x86_exec_map0_mid(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;

	switch (opc) {
	case 0x80 ... 0x83:
		return x86_exec_group1(c);
	case 0x84: case 0x85: case 0xa8: case 0xa9:
		return x86_exec_test(c);
	case 0x86: case 0x87: case 0x90 ... 0x97:
		return x86_exec_xchg(c);
	case 0x88 ... 0x8b:
		return x86_exec_mov_rm(c);
	case 0x8c:
		return x86_exec_mov_from_sreg(c);
	case 0x8d:
		return x86_exec_lea(c);
	case 0x8e:
		return x86_exec_mov_to_sreg(c);
	case 0x8f:
		return x86_exec_pop(c);
	case 0x98: case 0x99:
		return x86_exec_convert(c);
	case 0x9a:
		return x86_exec_far_direct(c);
	case 0x9b:
		return 0;	/* WAIT: no x87 exceptions pending */
	case 0x9c:
		return x86_exec_pushf(c);
	case 0x9d:
		return x86_exec_popf(c);
	case 0x9e: case 0x9f:
		return x86_exec_ahf(c);
	case 0xa0 ... 0xa3:
		return x86_exec_mov_moffs(c);
	case 0xa4 ... 0xa7: case 0xaa ... 0xaf:
		return x86_exec_string(c);
	case 0xb0 ... 0xbf:
		return x86_exec_mov_imm(c);
	}
	return x86_unsupported(c);
}

static int x86_exec_map0_high(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;

	switch (opc) {
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3:
		return x86_exec_shift(c);
	case 0xc2: case 0xc3:
		return x86_exec_ret_near(c);
	case 0xc4: case 0xc5:
		return x86_exec_load_far(c);
	case 0xc6: case 0xc7:
		return x86_exec_mov_imm(c);
	case 0xc9:
		return x86_exec_leave(c);
	case 0xca: case 0xcb:
		return x86_exec_ret_far(c);
	case 0xcc ... 0xce:
		return x86_exec_int(c);
	case 0xcf:
		return x86_exec_iret(c);
	case 0xd7:
		return x86_exec_xlat(c);
	case 0xe0 ... 0xe3:
		return x86_exec_loop(c);
	case 0xe4 ... 0xe7: case 0xec ... 0xef:
		return x86_exec_io(c);
	case 0xe8:
		return x86_exec_call_near(c);
	case 0xe9: case 0xeb:
		return x86_exec_jump_rel(c, true);
	case 0xea:
		return x86_exec_far_direct(c);
	case 0xf4:
		return x86_exec_hlt(c);
	case 0xf5: case 0xf8 ... 0xfd:
		return x86_exec_flag_op(c);
	case 0xf6: case 0xf7:
		return x86_exec_group3(c);
	case 0xfe: case 0xff:
		return x86_exec_group45(c);
	}
	return x86_unsupported(c);
}

/* 0F xx, other than the SSE/AVX space, which is unsupported */
static int x86_exec_map1(struct x86_ctx *c)
{
	u8 opc = c->insn.opcode;

	switch (opc) {
	case 0x01:
		return x86_exec_group7(c);
	case 0x06: case 0x08: case 0x09:
		return x86_exec_cache_ts(c);
	case 0x0b: case 0xb9: case 0xff:
		return x86_ud(c);	/* UD2, UD1, UD0 */
	case 0x0d: case 0x18 ... 0x1f:
		return 0;		/* prefetch and hint NOPs */
	case 0x20: case 0x22:
		return x86_exec_mov_cr(c);
	case 0x21: case 0x23:
		return x86_exec_mov_dr(c);
	case 0x30: case 0x32:
		return x86_exec_msr(c);
	case 0x31:
		return x86_exec_rdtsc(c);
	case 0x40 ... 0x4f:
		return x86_exec_cmov(c);
	case 0x80 ... 0x8f:
		return x86_exec_jump_rel(c, x86_cond(c, opc));
	case 0x90 ... 0x9f:
		return x86_exec_setcc(c);
	case 0xa0: case 0xa8:
		return x86_exec_push_sreg(c, opc == 0xa0 ? MSHV_SIM_X86_FS :
					  MSHV_SIM_X86_GS);
	case 0xa1: case 0xa9:
		return x86_exec_pop_sreg(c, opc == 0xa1 ? MSHV_SIM_X86_FS :
					 MSHV_SIM_X86_GS);
	case 0xa2:
		return x86_stop(c, MSHV_SIM_X86_EXIT_CPUID);
	case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba:
		return x86_exec_bt(c);
	case 0xa4: case 0xa5: case 0xac: case 0xad:
		return x86_exec_shxd(c);
	case 0xb2: case 0xb4: case 0xb5:
		return x86_exec_load_far(c);
	case 0xbc: case 0xbd:
		return x86_exec_bsx(c);
	case 0xc7:
		return x86_exec_group9(c);
	case 0xaf:
		return x86_exec_imul(c);
	case 0xb0: case 0xb1:
		return x86_exec_cmpxchg(c);
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		return x86_exec_movx(c);
	case 0xc0: case 0xc1:
		return x86_exec_xadd(c);
	case 0xc8 ... 0xcf:
		return x86_exec_bswap(c);
	}
	return x86_unsupported(c);
}

/* Opcodes of map 1 that change meaning with a 66, F2 or F3 prefix */
static bool x86_map1_prefix_ok(const struct mshv_sim_x86_insn *insn)
{
	if (!insn->rep)
		return true;
	/* F3 0F B8/BC/BD: POPCNT, TZCNT, LZCNT; F2/F3 0F 1E: CET */
	return insn->opcode != 0xb8 && insn->opcode != 0xbc &&
	       insn->opcode != 0xbd;
}

/* May this instruction carry a LOCK prefix? */
static bool x86_lock_ok(const struct mshv_sim_x86_insn *insn)
{
	u8 opc = insn->opcode, op = insn->reg & 7;

	if (insn->mod == 3 || !insn->has_modrm)
		return false;
	if (insn->map == 1)
		return opc == 0xab || opc == 0xb3 || opc == 0xbb ||
		       (opc == 0xba && op >= 5) || opc == 0xb0 ||
		       opc == 0xb1 || opc == 0xc0 || opc == 0xc1 ||
		       (opc == 0xc7 && op == 1);
	if (insn->map)
		return false;
	if (opc < 0x38)
		return (opc & 7) < 2;
	switch (opc) {
	case 0x80 ... 0x83:
		return op != 7;
	case 0x86: case 0x87:
		return true;
	case 0xf6: case 0xf7:
		return op == 2 || op == 3;
	case 0xfe: case 0xff:
		return op < 2;
	}
	return false;
}

static int x86_exec(struct x86_ctx *c)
{
	const struct mshv_sim_x86_insn *insn = &c->insn;

	if (insn->vex)
		return x86_unsupported(c);
	if (insn->invalid || (insn->lock && !x86_lock_ok(insn)))
		return x86_ud(c);
	if (insn->map == 1 && x86_map1_prefix_ok(insn))
		return x86_exec_map1(c);
	if (insn->map)
		return x86_unsupported(c);
	if (insn->opcode < 0x80)
		return x86_exec_map0_low(c);
	if (insn->opcode < 0xc0)
		return x86_exec_map0_mid(c);
	return x86_exec_map0_high(c);
}

/* ----------------------------------------------------------------------
 * Fetch, the run loop and the entry points
 */

/**
 * mshv_sim_x86_mode() - execution mode of a processor
 * @cpu: the processor
 *
 * A 16-bit code segment in compatibility mode is reported as
 * MSHV_SIM_X86_MODE_PROT16 (its sizes are those of 16-bit protected mode;
 * paging follows EFER.LMA either way).
 *
 * Return: the mode, from CR0.PE, EFER.LMA, CS.L and CS.DB.
 */
enum mshv_sim_x86_mode mshv_sim_x86_mode(const struct mshv_sim_x86_cpu *cpu)
{
	u16 attr = cpu->seg[MSHV_SIM_X86_CS].attributes;

	if (!(cpu->cr0 & MSHV_SIM_X86_CR0_PE))
		return MSHV_SIM_X86_MODE_REAL;
	if ((cpu->efer & MSHV_SIM_X86_EFER_LMA) && (attr & MSHV_SIM_X86_SEG_L))
		return MSHV_SIM_X86_MODE_LONG64;
	if (!(attr & MSHV_SIM_X86_SEG_DB))
		return MSHV_SIM_X86_MODE_PROT16;
	if (cpu->efer & MSHV_SIM_X86_EFER_LMA)
		return MSHV_SIM_X86_MODE_COMPAT;
	return MSHV_SIM_X86_MODE_PROT32;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_mode);

/* RIP wrapped to the size of the code segment */
static u64 x86_wrap_rip(enum mshv_sim_x86_mode mode, u64 rip)
{
	if (mode == MSHV_SIM_X86_MODE_REAL || mode == MSHV_SIM_X86_MODE_PROT16)
		return rip & 0xffff;
	if (mode != MSHV_SIM_X86_MODE_LONG64)
		return rip & 0xffffffff;
	return rip;
}

static void x86_clear_exit_detail(struct mshv_sim_x86_exit *exit)
{
	exit->reason = MSHV_SIM_X86_EXIT_BUDGET;
	memset(&exit->gpa, 0, sizeof(exit->gpa));
	memset(&exit->io, 0, sizeof(exit->io));
	memset(&exit->exception, 0, sizeof(exit->exception));
}

/*
 * Fetch up to 15 bytes at CS:RIP into the exit's byte buffer, stopping at
 * the first page that cannot be read; that page's stop is reported only if
 * the instruction turns out to need its bytes.
 */
static int x86_fetch_decode(struct x86_ctx *c)
{
	struct mshv_sim_x86_exit *exit = c->exit;
	u64 la = c->cpu->rip;
	int ret, fetch_ret = 0;
	u32 got = 0, n;

	if (!x86_is64(c))
		la = (c->cpu->seg[MSHV_SIM_X86_CS].base + la) & 0xffffffff;
	else if (!x86_canonical(la))
		return x86_gp(c, 0);
	while (got < MSHV_SIM_X86_MAX_INSN_LEN) {
		n = x86_chunk(la + got, MSHV_SIM_X86_MAX_INSN_LEN - got);
		fetch_ret = x86_lin_read(c, la + got, exit->insn_bytes + got, n,
					 MSHV_SIM_ACCESS_EXECUTE, false);
		if (fetch_ret)
			break;
		got += n;
	}
	exit->insn_byte_count = got;
	ret = mshv_sim_x86_decode(exit->insn_bytes, got, c->mode, &c->insn);
	if (ret == -ENODATA && fetch_ret)
		return X86_STOP;
	x86_clear_exit_detail(exit);
	if (ret == -EOPNOTSUPP) {
		exit->insn_len = c->insn.len;
		return x86_unsupported(c);
	}
	if (ret)
		return x86_gp(c, 0);
	exit->insn_len = c->insn.len;
	return 0;
}

static void x86_ctx_init(struct x86_ctx *c, struct mshv_sim_x86_cpu *cpu,
			 const struct mshv_sim_x86_mem_ops *ops, void *opaque,
			 struct mshv_sim_x86_exit *exit)
{
	memset(c, 0, sizeof(*c));
	c->cpu = cpu;
	c->ops = ops;
	c->opaque = opaque;
	c->exit = exit;
	c->mode = mshv_sim_x86_mode(cpu);
	if (c->mode != MSHV_SIM_X86_MODE_REAL)
		c->cpl = x86_seg_dpl(cpu->seg[MSHV_SIM_X86_CS].attributes);
}

/* Execute one instruction (one iteration of a REP string instruction). */
static int x86_step(struct x86_ctx *c)
{
	struct mshv_sim_x86_cpu *cpu = c->cpu;
	int ret;

	x86_ctx_init(c, cpu, c->ops, c->opaque, c->exit);
	if (c->mode != MSHV_SIM_X86_MODE_REAL &&
	    (cpu->rflags & MSHV_SIM_X86_FLAG_VM))
		return x86_unsupported(c);
	ret = x86_fetch_decode(c);
	if (ret)
		return ret;
	c->next_rip = x86_wrap_rip(c->mode, cpu->rip + c->insn.len);
	ret = x86_exec(c);
	if (ret)
		return ret;
	if (!c->rep_again)
		cpu->rip = c->next_rip;
	cpu->rflags &= ~MSHV_SIM_X86_FLAG_RF;
	cpu->interrupt_shadow = c->shadow;
	return 0;
}

/**
 * mshv_sim_x86_run() - run a processor until it needs the hypervisor
 * @cpu: the processor
 * @ops: its guest physical memory
 * @ctx: argument of @ops
 * @max_insns: most instructions to retire (each REP iteration counts)
 * @exit: why it stopped
 *
 * Runs with IRQs possibly disabled: no locks, no allocation, no sleeping.
 * An instruction that stops (GPA, IO, CPUID, RDMSR, WRMSR, EXCEPTION,
 * UNSUPPORTED) was not executed and @cpu is as before it; after HLT, RIP
 * is past it.
 *
 * Return: the number of instructions retired (HLT included).
 */
int mshv_sim_x86_run(struct mshv_sim_x86_cpu *cpu,
		     const struct mshv_sim_x86_mem_ops *ops, void *ctx,
		     u32 max_insns, struct mshv_sim_x86_exit *exit)
{
	struct x86_ctx c;
	int done = 0;

	x86_ctx_init(&c, cpu, ops, ctx, exit);
	while (done < max_insns) {
		memset(exit, 0, sizeof(*exit));
		if (x86_step(&c))
			return done;
		done++;
		if (c.halt) {
			exit->reason = MSHV_SIM_X86_EXIT_HLT;
			return done;
		}
		if (c.pause) {
			exit->reason = MSHV_SIM_X86_EXIT_PAUSE;
			return done;
		}
	}
	memset(exit, 0, sizeof(*exit));
	exit->reason = MSHV_SIM_X86_EXIT_BUDGET;
	return done;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_run);

static bool x86_contributory(u8 vector)
{
	return vector == MSHV_SIM_X86_DE || (vector >= MSHV_SIM_X86_TS &&
					     vector <= MSHV_SIM_X86_GP);
}

/* An exception while delivering @vector: #DF, or shutdown after #DF. */
static void x86_nested_fault(struct mshv_sim_x86_exit *exit, u8 vector)
{
	u8 nested = exit->exception.vector;

	if (exit->reason != MSHV_SIM_X86_EXIT_EXCEPTION)
		return;
	if (vector == MSHV_SIM_X86_DF) {
		x86_clear_exit_detail(exit);
		exit->reason = MSHV_SIM_X86_EXIT_TRIPLE_FAULT;
		return;
	}
	if ((x86_contributory(vector) && x86_contributory(nested)) ||
	    (vector == MSHV_SIM_X86_PF &&
	     (x86_contributory(nested) || nested == MSHV_SIM_X86_PF))) {
		x86_clear_exit_detail(exit);
		exit->reason = MSHV_SIM_X86_EXIT_EXCEPTION;
		exit->exception.vector = MSHV_SIM_X86_DF;
		exit->exception.has_error_code = true;
	}
}

/**
 * mshv_sim_x86_deliver() - deliver an interrupt or exception
 * @cpu: the processor
 * @ops: its guest physical memory
 * @ctx: argument of @ops
 * @vector: the vector
 * @has_error_code: push @error_code (ignored in real mode)
 * @error_code: the error code
 * @exit: what stopped the delivery, if it failed
 *
 * Delivers through the real-mode IVT (pushing FLAGS, CS, IP; clearing IF,
 * TF, AC) or a 64-bit interrupt or trap gate of the IDT in IA-32e mode
 * (pushing SS, RSP, RFLAGS, CS, RIP and the error code, on the TSS stack
 * of a more privileged handler or an IST stack; clearing TF, NT, RF and,
 * for interrupt gates, IF). The pushed RIP is the current one. The
 * caller sets CR2 for #PF and clears its own halted state. Legacy
 * protected mode delivery is not implemented (an UNSUPPORTED exit).
 *
 * Return: 0, or -EFAULT with @exit filled (a GPA stop; an exception,
 * turned into #DF as the architecture says; a triple fault) and @cpu
 * unchanged.
 */
int mshv_sim_x86_deliver(struct mshv_sim_x86_cpu *cpu,
			 const struct mshv_sim_x86_mem_ops *ops, void *ctx,
			 u8 vector, bool has_error_code, u32 error_code,
			 struct mshv_sim_x86_exit *exit)
{
	struct x86_ctx c;

	memset(exit, 0, sizeof(*exit));
	x86_ctx_init(&c, cpu, ops, ctx, exit);
	if (x86_deliver_event(&c, vector, false, has_error_code, error_code,
			      cpu->rip)) {
		x86_nested_fault(exit, vector);
		return -EFAULT;
	}
	cpu->rip = c.next_rip;
	cpu->interrupt_shadow = false;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_deliver);

/**
 * mshv_sim_x86_skip() - skip the instruction an exit stopped at
 * @cpu: the processor
 * @exit: the exit
 *
 * Advances RIP by the instruction's length (wrapping to 16 bits in 16-bit
 * code), and clears RF and the interrupt shadow.
 */
void mshv_sim_x86_skip(struct mshv_sim_x86_cpu *cpu,
		       const struct mshv_sim_x86_exit *exit)
{
	cpu->rip = x86_wrap_rip(mshv_sim_x86_mode(cpu),
				cpu->rip + exit->insn_len);
	cpu->rflags &= ~MSHV_SIM_X86_FLAG_RF;
	cpu->interrupt_shadow = false;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_skip);

/**
 * mshv_sim_x86_complete_in() - complete an IN instruction
 * @cpu: the processor
 * @exit: the IO exit of a (non-string) IN
 * @value: the value read from the port
 *
 * Writes @value to AL, AX or EAX (preserving the rest of RAX for 8 and 16
 * bits, zeroing its upper half for 32 bits) and skips the instruction.
 * Does nothing for any other exit; string I/O is the caller's business.
 */
void mshv_sim_x86_complete_in(struct mshv_sim_x86_cpu *cpu,
			      const struct mshv_sim_x86_exit *exit, u32 value)
{
	if (exit->reason != MSHV_SIM_X86_EXIT_IO || exit->io.write ||
	    exit->io.string)
		return;
	x86_gpr_write(&cpu->gpr[MSHV_SIM_X86_RAX], exit->io.size, value);
	mshv_sim_x86_skip(cpu, exit);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_x86_complete_in);
