// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the x86 interpreter of mshv_sim. A fake guest memory (64
 * KiB of RAM at GPA 0, nothing mapped above) drives hand-assembled real-mode
 * and long-mode programs through mshv_sim_x86_run().
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "x86.h"

#define RAM_SIZE	0x10000
#define MMIO_GPA	0x200000ULL	/* second 2 MiB page: not backed */

static int fake_read(void *ctx, u64 gpa, void *buf, u32 len,
		     enum mshv_sim_access acc, struct mshv_sim_gpa_fault *f)
{
	if (gpa + len > RAM_SIZE) {
		f->gpa = gpa;
		f->access = acc;
		f->reason = MSHV_SIM_GPA_UNMAPPED;
		return -EFAULT;
	}
	memcpy(buf, (u8 *)ctx + gpa, len);
	return 0;
}

static int fake_write(void *ctx, u64 gpa, const void *buf, u32 len,
		      struct mshv_sim_gpa_fault *f)
{
	if (gpa + len > RAM_SIZE) {
		f->gpa = gpa;
		f->access = MSHV_SIM_ACCESS_WRITE;
		f->reason = MSHV_SIM_GPA_UNMAPPED;
		return -EFAULT;
	}
	memcpy((u8 *)ctx + gpa, buf, len);
	return 0;
}

static const struct mshv_sim_x86_mem_ops fake_ops = {
	.read = fake_read,
	.write = fake_write,
};

/**
 * struct x86_test - per-test state
 * @ram: guest RAM at GPA 0
 * @cpu: the processor
 * @exit: the last exit
 */
struct x86_test {
	u8 *ram;
	struct mshv_sim_x86_cpu cpu;
	struct mshv_sim_x86_exit exit;
};

static int x86_test_init(struct kunit *test)
{
	struct x86_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->ram = kunit_kzalloc(test, RAM_SIZE, GFP_KERNEL);
	if (!t->ram)
		return -ENOMEM;
	test->priv = t;
	return 0;
}

/* Real mode at CS = 0x100 (base 0x1000), IP 0, SS:SP = 0:0x8000 */
static struct x86_test *real_setup(struct kunit *test, const u8 *code,
				   size_t len)
{
	struct x86_test *t = test->priv;
	int i;

	for (i = 0; i < MSHV_SIM_X86_NR_SREGS; i++)
		t->cpu.seg[i].limit = 0xffff;
	t->cpu.seg[MSHV_SIM_X86_CS].selector = 0x100;
	t->cpu.seg[MSHV_SIM_X86_CS].base = 0x1000;
	t->cpu.gpr[MSHV_SIM_X86_RSP] = 0x8000;
	t->cpu.rflags = MSHV_SIM_X86_FLAG_FIXED;
	t->cpu.idtr.limit = 0x3ff;
	memcpy(t->ram + 0x1000, code, len);
	return t;
}

/*
 * Long mode, CPL 0, identity paging of the first 4 MiB with 2 MiB pages
 * (PML4 0x1000, PDPT 0x2000, PD 0x3000); code at 0x4000, stack at 0x9000.
 */
static struct x86_test *long_setup(struct kunit *test, const u8 *code,
				   size_t len)
{
	struct x86_test *t = test->priv;

	t->ram[0x1000] = 0x2003 & 0xff;
	t->ram[0x1001] = 0x20;
	t->ram[0x2000] = 0x03;
	t->ram[0x2001] = 0x30;
	t->ram[0x3000] = 0x83;		/* 0-2 MiB, RW, PS */
	t->ram[0x3008] = 0x83;		/* 2-4 MiB, RW, PS */
	t->ram[0x300a] = 0x20;
	t->cpu.cr0 = MSHV_SIM_X86_CR0_PE | MSHV_SIM_X86_CR0_PG;
	t->cpu.cr3 = 0x1000;
	t->cpu.cr4 = MSHV_SIM_X86_CR4_PAE;
	t->cpu.efer = MSHV_SIM_X86_EFER_LME | MSHV_SIM_X86_EFER_LMA;
	t->cpu.seg[MSHV_SIM_X86_CS].selector = 8;
	t->cpu.seg[MSHV_SIM_X86_CS].attributes = 0xb | MSHV_SIM_X86_SEG_S |
		MSHV_SIM_X86_SEG_P | MSHV_SIM_X86_SEG_L;
	t->cpu.seg[MSHV_SIM_X86_SS].attributes = 0x3 | MSHV_SIM_X86_SEG_S |
		MSHV_SIM_X86_SEG_P;
	t->cpu.rip = 0x4000;
	t->cpu.gpr[MSHV_SIM_X86_RSP] = 0x9000;
	t->cpu.rflags = MSHV_SIM_X86_FLAG_FIXED;
	memcpy(t->ram + 0x4000, code, len);
	return t;
}

static int run(struct x86_test *t, u32 max)
{
	return mshv_sim_x86_run(&t->cpu, &fake_ops, t->ram, max, &t->exit);
}

/* Decoder: lengths and fields of a table of encodings */
struct decode_case {
	const char *name;
	enum mshv_sim_x86_mode mode;
	u8 bytes[15];
	u8 len;
	u8 op_size;
	u8 addr_size;
	u8 imm_size;
	u8 disp_size;
};

static const struct decode_case decode_cases[] = {
	{ "nop", MSHV_SIM_X86_MODE_LONG64, { 0x90 }, 1, 4, 8, 0, 0 },
	{ "mov rax,imm64", MSHV_SIM_X86_MODE_LONG64,
	  { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }, 10, 8, 8, 8, 0 },
	{ "mov ax,imm16 real", MSHV_SIM_X86_MODE_REAL, { 0xb8, 1, 2 }, 3, 2,
	  2, 2, 0 },
	{ "66 mov eax,imm32 real", MSHV_SIM_X86_MODE_REAL,
	  { 0x66, 0xb8, 1, 2, 3, 4 }, 6, 4, 2, 4, 0 },
	{ "rip-relative", MSHV_SIM_X86_MODE_LONG64,
	  { 0x8b, 0x05, 0x10, 0, 0, 0 }, 6, 4, 8, 0, 4 },
	{ "sib disp8", MSHV_SIM_X86_MODE_LONG64,
	  { 0x8b, 0x44, 0x8b, 0x08 }, 4, 4, 8, 0, 1 },
	{ "sib disp32 imm32", MSHV_SIM_X86_MODE_LONG64,
	  { 0xc7, 0x84, 0x24, 1, 0, 0, 0, 2, 0, 0, 0 }, 11, 4, 8, 4, 4 },
	{ "16-bit bp+si disp16", MSHV_SIM_X86_MODE_REAL,
	  { 0x8b, 0x82, 0x34, 0x12 }, 4, 2, 2, 0, 2 },
	{ "67 in long mode", MSHV_SIM_X86_MODE_LONG64,
	  { 0x67, 0x8b, 0x00 }, 3, 4, 4, 0, 0 },
	{ "0f jcc rel32", MSHV_SIM_X86_MODE_LONG64,
	  { 0x0f, 0x84, 0, 1, 0, 0 }, 6, 8, 8, 4, 0 },
	{ "0f 3a imm8", MSHV_SIM_X86_MODE_LONG64,
	  { 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x08 }, 6, 2, 8, 1, 0 },
	{ "test r/m8 imm8", MSHV_SIM_X86_MODE_PROT32,
	  { 0xf6, 0x05, 0, 0x10, 0, 0, 0x80 }, 7, 4, 4, 1, 4 },
	{ "vex", MSHV_SIM_X86_MODE_LONG64, { 0xc5, 0xf8, 0x77 }, 3, 4, 8,
	  0, 0 },
	{ "push imm32 (d64)", MSHV_SIM_X86_MODE_LONG64,
	  { 0x68, 1, 2, 3, 4 }, 5, 8, 8, 4, 0 },
	{ "far jmp real", MSHV_SIM_X86_MODE_REAL,
	  { 0xea, 0, 0, 0, 0xf0 }, 5, 2, 2, 2, 0 },
};

static void decode_desc(const struct decode_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decode, decode_cases, decode_desc);

static void x86_test_decode(struct kunit *test)
{
	const struct decode_case *c = test->param_value;
	struct mshv_sim_x86_insn insn;

	KUNIT_ASSERT_EQ(test, mshv_sim_x86_decode(c->bytes, c->len, c->mode,
						  &insn), 0);
	KUNIT_EXPECT_EQ(test, insn.len, c->len);
	KUNIT_EXPECT_EQ(test, insn.op_size, c->op_size);
	KUNIT_EXPECT_EQ(test, insn.addr_size, c->addr_size);
	KUNIT_EXPECT_EQ(test, insn.imm_size, c->imm_size);
	KUNIT_EXPECT_EQ(test, insn.disp_size, c->disp_size);
	/* one byte short is -ENODATA */
	KUNIT_EXPECT_EQ(test, mshv_sim_x86_decode(c->bytes, c->len - 1,
						  c->mode, &insn), -ENODATA);
}

static void x86_test_decode_fields(struct kunit *test)
{
	static const u8 b[] = { 0x4d, 0x8b, 0x44, 0x8d, 0xf8 };
	struct mshv_sim_x86_insn insn;
	static const u8 pre[16] = { [0 ... 15] = 0x66 };
	static const u8 lng[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 };

	/* mov r8, [r13 + rcx*4 - 8] */
	KUNIT_ASSERT_EQ(test, mshv_sim_x86_decode(b, sizeof(b),
						  MSHV_SIM_X86_MODE_LONG64,
						  &insn), 0);
	KUNIT_EXPECT_EQ(test, insn.rex, 0x4d);
	KUNIT_EXPECT_EQ(test, insn.reg, 8);
	KUNIT_EXPECT_EQ(test, insn.base, 13);
	KUNIT_EXPECT_EQ(test, insn.index, 1);
	KUNIT_EXPECT_EQ(test, insn.scale, 2);
	KUNIT_EXPECT_EQ(test, insn.disp, -8);
	KUNIT_EXPECT_EQ(test, insn.op_size, 8);
	/* 14 prefixes and an opcode is fine; 16 prefixes is too long */
	KUNIT_EXPECT_EQ(test, mshv_sim_x86_decode(lng, 15,
						  MSHV_SIM_X86_MODE_PROT32,
						  &insn), 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_x86_decode(pre, sizeof(pre),
						  MSHV_SIM_X86_MODE_PROT32,
						  &insn), -E2BIG);
}

/* Flags: "op; pushfq; hlt" with the inputs in RAX/RBX, per size */
struct flags_case {
	const char *name;
	u8 code[4];
	u8 code_len;
	u64 a;
	u64 b;
	u64 cf_in;
	u64 result;
	u64 flags;	/* CF PF AF ZF SF OF */
};

#define FC	MSHV_SIM_X86_FLAG_CF
#define FP	MSHV_SIM_X86_FLAG_PF
#define FA	MSHV_SIM_X86_FLAG_AF
#define FZ	MSHV_SIM_X86_FLAG_ZF
#define FS	MSHV_SIM_X86_FLAG_SF
#define FO	MSHV_SIM_X86_FLAG_OF

static const struct flags_case flags_cases[] = {
	/* add al, bl: 0x7f + 1 = 0x80 */
	{ "add8 overflow", { 0x00, 0xd8 }, 2, 0x7f, 1, 0, 0x80, FA | FS | FO },
	{ "add8 carry zero", { 0x00, 0xd8 }, 2, 0xff, 1, 0, 0, FC | FP | FA | FZ },
	{ "add16", { 0x66, 0x01, 0xd8 }, 3, 0x8000, 0x8000, 0, 0, FC | FP | FZ | FO },
	{ "add32", { 0x01, 0xd8 }, 2, 0xffffffff, 2, 0, 1, FC | FA },
	{ "add64", { 0x48, 0x01, 0xd8 }, 3, 0x7fffffffffffffffULL, 1, 0,
	  0x8000000000000000ULL, FP | FA | FS | FO },
	{ "adc32 carry in", { 0x11, 0xd8 }, 2, 1, 1, 1, 3, FP },
	{ "sub8 borrow", { 0x28, 0xd8 }, 2, 0, 1, 0, 0xff, FC | FP | FA | FS },
	{ "sub16 overflow", { 0x66, 0x29, 0xd8 }, 3, 0x8000, 1, 0, 0x7fff,
	  FP | FA | FO },
	{ "sbb64 borrow in", { 0x48, 0x19, 0xd8 }, 3, 5, 5, 1,
	  0xffffffffffffffffULL, FC | FP | FA | FS },
	{ "inc8 keeps cf", { 0xfe, 0xc0 }, 2, 0xff, 0, 1, 0, FC | FP | FA | FZ },
	{ "dec32", { 0xff, 0xc8 }, 2, 0x80000000, 0, 0, 0x7fffffff,
	  FP | FA | FO },
	{ "neg16", { 0x66, 0xf7, 0xd8 }, 3, 1, 0, 0, 0xffff, FC | FP | FA | FS },
	{ "neg64 zero", { 0x48, 0xf7, 0xd8 }, 3, 0, 0, 0, 0, FP | FZ },
	{ "shl8 by 1", { 0xd0, 0xe0 }, 2, 0xc0, 0, 0, 0x80, FC | FS },
	{ "shr32 by 1", { 0xd1, 0xe8 }, 2, 0x80000001, 0, 0, 0x40000000,
	  FC | FP | FO },
	{ "sar16 by 1", { 0x66, 0xd1, 0xf8 }, 3, 0x8001, 0, 0, 0xc000,
	  FC | FP | FS },
	{ "rol64 by 1", { 0x48, 0xd1, 0xc0 }, 3, 0x8000000000000000ULL, 0, 0,
	  1, FC | FO },
	{ "xor32 clears", { 0x31, 0xc0 }, 2, 0x1234, 0, FC, 0, FP | FZ },
};

static void flags_desc(const struct flags_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(flags, flags_cases, flags_desc);

static void x86_test_flags(struct kunit *test)
{
	const struct flags_case *c = test->param_value;
	struct x86_test *t;
	u8 code[8];
	u64 arith = MSHV_SIM_X86_FLAGS_ARITH;

	memcpy(code, c->code, c->code_len);
	code[c->code_len] = 0xf4;
	t = long_setup(test, code, c->code_len + 1);
	t->cpu.gpr[MSHV_SIM_X86_RAX] = c->a;
	t->cpu.gpr[MSHV_SIM_X86_RBX] = c->b;
	t->cpu.rflags |= c->cf_in;
	KUNIT_EXPECT_EQ(test, run(t, 10), 2);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RAX] &
			(c->code[0] == 0x66 ? 0xffff : ~0ULL) &
			(c->code_len == 2 && (c->code[0] & 0xfe) == 0 ? 0xff :
			 ~0ULL) &
			(c->code[0] == 0xfe || c->code[0] == 0xd0 ? 0xff : ~0ULL),
			c->result);
	KUNIT_EXPECT_EQ(test, t->cpu.rflags & arith, c->flags);
}

/* Real mode: segment arithmetic, OUT of a string to 0x3f8, IN, HLT */
static void x86_test_real_serial(struct kunit *test)
{
	static const u8 code[] = {
		0xb8, 0x00, 0x02,	/* mov ax, 0x200 */
		0x8e, 0xd8,		/* mov ds, ax */
		0xbe, 0x00, 0x00,	/* mov si, 0 */
		0xba, 0xf8, 0x03,	/* mov dx, 0x3f8 */
		0xac,			/* lodsb */
		0x84, 0xc0,		/* test al, al */
		0x74, 0x03,		/* jz +3 */
		0xee,			/* out dx, al */
		0xeb, 0xf8,		/* jmp lodsb */
		0xec,			/* in al, dx */
		0xf4,			/* hlt */
	};
	struct x86_test *t = real_setup(test, code, sizeof(code));
	char out[4] = {};
	int n = 0;

	memcpy(t->ram + 0x2000, "hi!", 4);
	for (;;) {
		run(t, 100);
		if (t->exit.reason != MSHV_SIM_X86_EXIT_IO || !t->exit.io.write)
			break;
		KUNIT_EXPECT_EQ(test, t->exit.io.port, 0x3f8);
		KUNIT_EXPECT_EQ(test, t->exit.io.size, 1);
		KUNIT_EXPECT_EQ(test, t->exit.insn_len, 1);
		if (n < 3)
			out[n++] = t->exit.io.data;
		mshv_sim_x86_skip(&t->cpu, &t->exit);
	}
	KUNIT_EXPECT_STREQ(test, out, "hi!");
	KUNIT_EXPECT_EQ(test, t->cpu.seg[MSHV_SIM_X86_DS].base, 0x2000);
	KUNIT_ASSERT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_IO);
	KUNIT_EXPECT_FALSE(test, t->exit.io.write);
	t->cpu.gpr[MSHV_SIM_X86_RAX] = 0x12345678abcdULL;
	mshv_sim_x86_complete_in(&t->cpu, &t->exit, 0x5a);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RAX], 0x12345678ab5aULL);
	KUNIT_EXPECT_EQ(test, run(t, 10), 1);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, sizeof(code));
}

/* Real mode INT n through the IVT and IRET back */
static void x86_test_real_int_iret(struct kunit *test)
{
	static const u8 code[] = {
		0xcd, 0x20,		/* int 0x20 */
		0xf4,			/* hlt */
	};
	struct x86_test *t = real_setup(test, code, sizeof(code));

	/* vector 0x20 -> 0x100:0x10, handler: inc bx; iret */
	t->ram[0x80] = 0x10;
	t->ram[0x82] = 0x00;
	t->ram[0x83] = 0x01;
	t->ram[0x1010] = 0x43;
	t->ram[0x1011] = 0xcf;
	t->cpu.rflags |= MSHV_SIM_X86_FLAG_IF;
	KUNIT_EXPECT_EQ(test, run(t, 2), 2);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x11);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x8000 - 6);
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_IF);
	KUNIT_EXPECT_EQ(test, t->ram[0x7ffa], 2);	/* pushed IP */
	KUNIT_EXPECT_EQ(test, run(t, 10), 2);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RBX], 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x8000);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_IF);
}

/* Long mode: a store to MMIO stops at the SLAT with exact details */
static void x86_test_long_mmio(struct kunit *test)
{
	static const u8 code[] = {
		0xb8, 0x78, 0x56, 0x34, 0x12,		/* mov eax, imm */
		0x89, 0x04, 0x25, 0x10, 0x00, 0x20, 0x00, /* mov [0x200010], eax */
	};
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 10), 1);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_GPA);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.gpa, MMIO_GPA + 0x10);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.gva, MMIO_GPA + 0x10);
	KUNIT_EXPECT_TRUE(test, t->exit.gpa.gva_valid);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.access, MSHV_SIM_ACCESS_WRITE);
	KUNIT_EXPECT_EQ(test, t->exit.insn_len, 7);
	KUNIT_EXPECT_EQ(test, t->exit.insn_bytes[0], 0x89);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4005);
}

/* CPUID, RDMSR and WRMSR exit without executing */
static void x86_test_long_cpuid_msr(struct kunit *test)
{
	static const u8 code[] = { 0x0f, 0xa2, 0x0f, 0x32, 0x0f, 0x30 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_CPUID);
	KUNIT_EXPECT_EQ(test, t->exit.insn_len, 2);
	mshv_sim_x86_skip(&t->cpu, &t->exit);
	run(t, 10);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_RDMSR);
	mshv_sim_x86_skip(&t->cpu, &t->exit);
	run(t, 10);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_WRMSR);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4004);
}

/* DIV by zero: #DE, nothing changed */
static void x86_test_divide_error(struct kunit *test)
{
	static const u8 code[] = { 0x48, 0xf7, 0xf3 };	/* div rbx */
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->cpu.gpr[MSHV_SIM_X86_RAX] = 7;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_DE);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RAX], 7);
}

/* An AVX instruction is unsupported, not #UD */
static void x86_test_unsupported(struct kunit *test)
{
	static const u8 code[] = { 0xc5, 0xf8, 0x77 };	/* vzeroupper */
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_UNSUPPORTED);
	KUNIT_EXPECT_EQ(test, t->exit.insn_len, 3);
}

/* HLT at CPL 3 is #GP(0) */
static void x86_test_gp_cpl3(struct kunit *test)
{
	static const u8 code[] = { 0xf4 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->ram[0x3000] |= 4;	/* user pages */
	t->ram[0x2000] |= 4;
	t->ram[0x1000] |= 4;
	t->cpu.seg[MSHV_SIM_X86_CS].attributes |= MSHV_SIM_X86_SEG_DPL;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_GP);
	KUNIT_EXPECT_TRUE(test, t->exit.exception.has_error_code);
	KUNIT_EXPECT_EQ(test, t->exit.exception.error_code, 0);
}

/* A user-mode fetch from a supervisor page: #PF with P|U|... */
static void x86_test_page_fault(struct kunit *test)
{
	static const u8 code[] = { 0x90 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->cpu.seg[MSHV_SIM_X86_CS].attributes |= MSHV_SIM_X86_SEG_DPL;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_PF);
	KUNIT_EXPECT_EQ(test, t->exit.exception.error_code,
			MSHV_SIM_X86_PFERR_P | MSHV_SIM_X86_PFERR_U);
	KUNIT_EXPECT_EQ(test, t->exit.exception.cr2, 0x4000);
}

/* REP MOVSB stops mid-way at MMIO with RCX/RSI/RDI of the stop */
static void x86_test_rep_movsb_gpa(struct kunit *test)
{
	static const u8 code[] = { 0xf3, 0xa4 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->cpu.gpr[MSHV_SIM_X86_RSI] = 0x5000;
	t->cpu.gpr[MSHV_SIM_X86_RDI] = RAM_SIZE - 2;
	t->cpu.gpr[MSHV_SIM_X86_RCX] = 5;
	KUNIT_EXPECT_EQ(test, run(t, 100), 2);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_GPA);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.gpa, RAM_SIZE);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RCX], 3);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSI], 0x5002);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RDI], RAM_SIZE);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);
}

/* REP OUTSB exits as string I/O, not executed */
static void x86_test_rep_outsb(struct kunit *test)
{
	static const u8 code[] = { 0xf3, 0x6e };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->cpu.gpr[MSHV_SIM_X86_RCX] = 4;
	t->cpu.gpr[MSHV_SIM_X86_RDX] = 0x80;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_IO);
	KUNIT_EXPECT_EQ(test, t->exit.io.port, 0x80);
	KUNIT_EXPECT_TRUE(test, t->exit.io.write);
	KUNIT_EXPECT_TRUE(test, t->exit.io.string);
	KUNIT_EXPECT_TRUE(test, t->exit.io.rep);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RCX], 4);
}

/* STI opens a one-instruction interrupt shadow; budget exit */
static void x86_test_sti_shadow_budget(struct kunit *test)
{
	static const u8 code[] = { 0xfb, 0x90, 0x90 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_BUDGET);
	KUNIT_EXPECT_TRUE(test, t->cpu.interrupt_shadow);
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_FALSE(test, t->cpu.interrupt_shadow);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4002);
}

/* Long mode INT n through a 64-bit IDT gate, and IRETQ back */
static void x86_test_long_int_iretq(struct kunit *test)
{
	static const u8 code[] = { 0xcd, 0x21, 0xf4 };	/* int 0x21; hlt */
	static const u8 handler[] = {
		0x48, 0xff, 0xc3,	/* inc rbx */
		0x48, 0xcf,		/* iretq */
	};
	struct x86_test *t = long_setup(test, code, sizeof(code));
	u8 *gate = t->ram + 0x6000 + 0x21 * 16;
	u64 desc = 0x00209a0000000000ULL;	/* 64-bit code, DPL 0 */

	memcpy(t->ram + 0x7008, &desc, sizeof(desc));
	t->cpu.gdtr.base = 0x7000;
	t->cpu.gdtr.limit = 0x17;
	t->cpu.idtr.base = 0x6000;
	t->cpu.idtr.limit = 0xfff;
	gate[0] = 0x00;			/* offset 0x4100 */
	gate[1] = 0x41;
	gate[2] = 0x08;			/* selector 8 */
	gate[5] = 0x8e;			/* present interrupt gate */
	memcpy(t->ram + 0x4100, handler, sizeof(handler));
	t->cpu.rflags |= MSHV_SIM_X86_FLAG_IF;

	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4100);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x9000 - 40);
	KUNIT_EXPECT_EQ(test, t->ram[0x9000 - 40], 0x02);	/* return RIP */
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_IF);
	KUNIT_EXPECT_EQ(test, run(t, 10), 3);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RBX], 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x9000);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_IF);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4003);
}

/* REP INSB exits as string input, not executed */
static void x86_test_rep_insb(struct kunit *test)
{
	static const u8 code[] = { 0xf3, 0x6c };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->cpu.gpr[MSHV_SIM_X86_RCX] = 3;
	t->cpu.gpr[MSHV_SIM_X86_RDX] = 0x60;
	t->cpu.gpr[MSHV_SIM_X86_RDI] = 0x5000;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_IO);
	KUNIT_EXPECT_EQ(test, t->exit.io.port, 0x60);
	KUNIT_EXPECT_FALSE(test, t->exit.io.write);
	KUNIT_EXPECT_TRUE(test, t->exit.io.string);
	KUNIT_EXPECT_TRUE(test, t->exit.io.rep);
	KUNIT_EXPECT_EQ(test, t->exit.insn_len, 2);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RCX], 3);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RDI], 0x5000);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);
}

/* LOCK on an instruction that does not write memory is #UD */
static void x86_test_lock_ud(struct kunit *test)
{
	static const u8 code[] = { 0xf0, 0x48, 0x89, 0xc3 };	/* lock mov rbx, rax */
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_UD);
	KUNIT_EXPECT_FALSE(test, t->exit.exception.has_error_code);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);
}

/*
 * An instruction that crosses a 4 KiB page is fetched from both pages;
 * one that runs into memory the SLAT does not map stops there, as an
 * execute access, before it runs.
 */
static void x86_test_fetch_across_pages(struct kunit *test)
{
	static const u8 mov[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0xf4 };
	struct x86_test *t = long_setup(test, mov, 0);

	memcpy(t->ram + 0x4ffd, mov, sizeof(mov));
	t->cpu.rip = 0x4ffd;
	KUNIT_EXPECT_EQ(test, run(t, 10), 2);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RAX], 0x12345678);

	memcpy(t->ram + RAM_SIZE - 2, mov, 2);
	t->cpu.rip = RAM_SIZE - 2;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_GPA);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.gpa, RAM_SIZE);
	KUNIT_EXPECT_EQ(test, t->exit.gpa.access, MSHV_SIM_ACCESS_EXECUTE);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, RAM_SIZE - 2);
}

/* SHLD and SHRD with an immediate count, with CL, and with a count of 0 */
static void x86_test_shld_shrd(struct kunit *test)
{
	static const u8 code[] = {
		0x0f, 0xa4, 0xd8, 0x08,		/* shld eax, ebx, 8 */
		0x0f, 0xac, 0xd8, 0x04,		/* shrd eax, ebx, 4 */
		0x48, 0x0f, 0xa5, 0xda,		/* shld rdx, rbx, cl */
		0x48, 0x0f, 0xad, 0xda,		/* shrd rdx, rbx, cl (cl 0) */
		0x66, 0x0f, 0xa4, 0xd8, 0x11,	/* shld ax, bx, 17 */
	};
	struct x86_test *t = long_setup(test, code, sizeof(code));
	u64 *gpr = t->cpu.gpr;

	gpr[MSHV_SIM_X86_RAX] = 0xffffffff12345678ULL;
	gpr[MSHV_SIM_X86_RBX] = 0x9abcdef0;
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RAX], 0x3456789a);
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_CF);
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RAX], 0x03456789);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_CF);

	gpr[MSHV_SIM_X86_RDX] = 0x8000000000000001ULL;
	gpr[MSHV_SIM_X86_RBX] = 0xf000000000000000ULL;
	gpr[MSHV_SIM_X86_RCX] = 0x104;		/* only CL counts */
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RDX], 0x1f);
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_CF);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_OF);

	/* a zero count changes neither the operand nor a flag */
	gpr[MSHV_SIM_X86_RCX] = 0;
	t->cpu.rflags |= MSHV_SIM_X86_FLAG_CF;
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RDX], 0x1f);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_CF);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_OF);

	/* a 16-bit count above 16 has no defined result: not run */
	KUNIT_EXPECT_EQ(test, run(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_UNSUPPORTED);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4010);
}

/* BSF and BSR; a zero source sets ZF and keeps the destination */
static void x86_test_bsf_bsr(struct kunit *test)
{
	static const u8 code[] = {
		0x48, 0x0f, 0xbc, 0xc3,		/* bsf rax, rbx */
		0x48, 0x0f, 0xbd, 0xcb,		/* bsr rcx, rbx */
		0x48, 0x0f, 0xbc, 0xc2,		/* bsf rax, rdx */
		0xf3, 0x0f, 0xbc, 0xc3,		/* tzcnt eax, ebx */
	};
	struct x86_test *t = long_setup(test, code, sizeof(code));
	u64 *gpr = t->cpu.gpr;

	gpr[MSHV_SIM_X86_RBX] = 0x0000010000000800ULL;
	t->cpu.rflags |= MSHV_SIM_X86_FLAG_ZF;
	KUNIT_EXPECT_EQ(test, run(t, 2), 2);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RAX], 11);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RCX], 40);
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_ZF);
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RAX], 11);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_ZF);
	/* TZCNT is another instruction, which the interpreter does not run */
	KUNIT_EXPECT_EQ(test, run(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_UNSUPPORTED);
}

/* CMPXCHG8B: equal and unequal; CMPXCHG16B is not run, a register #UD */
static void x86_test_cmpxchg8b(struct kunit *test)
{
	static const u8 code[] = {
		0x0f, 0xc7, 0x0e,		/* cmpxchg8b [rsi] */
		0x0f, 0xc7, 0x0e,		/* cmpxchg8b [rsi] */
		0x48, 0x0f, 0xc7, 0x0e,		/* cmpxchg16b [rsi] */
	};
	static const u8 reg_form[] = { 0x0f, 0xc7, 0xce };
	struct x86_test *t = long_setup(test, code, sizeof(code));
	u64 *gpr = t->cpu.gpr, mem = 0x1111222233334444ULL;

	memcpy(t->ram + 0x6000, &mem, 8);
	gpr[MSHV_SIM_X86_RSI] = 0x6000;
	gpr[MSHV_SIM_X86_RDX] = 0xffffffff11112222ULL;
	gpr[MSHV_SIM_X86_RAX] = 0x33334444;
	gpr[MSHV_SIM_X86_RCX] = 0xaaaabbbb;
	gpr[MSHV_SIM_X86_RBX] = 0xccccdddd;
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	memcpy(&mem, t->ram + 0x6000, 8);
	KUNIT_EXPECT_EQ(test, mem, 0xaaaabbbbccccddddULL);
	KUNIT_EXPECT_TRUE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_ZF);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RDX], 0xffffffff11112222ULL);

	/* EDX:EAX no longer matches: it is loaded, memory keeps its value */
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	memcpy(&mem, t->ram + 0x6000, 8);
	KUNIT_EXPECT_EQ(test, mem, 0xaaaabbbbccccddddULL);
	KUNIT_EXPECT_FALSE(test, t->cpu.rflags & MSHV_SIM_X86_FLAG_ZF);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RDX], 0xaaaabbbb);
	KUNIT_EXPECT_EQ(test, gpr[MSHV_SIM_X86_RAX], 0xccccdddd);

	KUNIT_EXPECT_EQ(test, run(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_UNSUPPORTED);

	memcpy(t->ram + 0x4000, reg_form, sizeof(reg_form));
	t->cpu.rip = 0x4000;
	KUNIT_EXPECT_EQ(test, run(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_UD);
}

/* RDTSC stops for the hypervisor; with CR4.TSD it is #GP(0) at CPL 3 */
static void x86_test_rdtsc(struct kunit *test)
{
	static const u8 code[] = { 0x0f, 0x31 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_RDTSC);
	KUNIT_EXPECT_EQ(test, t->exit.insn_len, 2);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);

	t->ram[0x3000] |= 4;	/* user pages */
	t->ram[0x2000] |= 4;
	t->ram[0x1000] |= 4;
	t->cpu.seg[MSHV_SIM_X86_CS].attributes |= MSHV_SIM_X86_SEG_DPL;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_RDTSC);
	t->cpu.cr4 |= MSHV_SIM_X86_CR4_TSD;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_GP);
}

/* Real mode PUSHA and POPA: the frame's layout, SP not reloaded */
static void x86_test_real_pusha_popa(struct kunit *test)
{
	static const u8 code[] = {
		0x60,			/* pusha */
		0x31, 0xc0,		/* xor ax, ax */
		0x31, 0xff,		/* xor di, di */
		0x61,			/* popa */
	};
	static const u16 frame[8] = {
		0x7007, 0x6006, 0x5005, 0x8000, 0x3003, 0x2002, 0x1001, 0x0ff0,
	};
	struct x86_test *t = real_setup(test, code, sizeof(code));
	u16 pushed[8];
	int i;

	for (i = 0; i < 8; i++)
		if (i != MSHV_SIM_X86_RSP)
			t->cpu.gpr[i] = 0xabcd0000 | (i * 0x1001);
	t->cpu.gpr[MSHV_SIM_X86_RAX] = 0xabcd0ff0;
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x7ff0);
	memcpy(pushed, t->ram + 0x7ff0, sizeof(pushed));
	KUNIT_EXPECT_MEMEQ(test, pushed, frame, sizeof(frame));
	/* a changed SP slot is not loaded back */
	t->ram[0x7ff6] = 0x55;
	KUNIT_EXPECT_EQ(test, run(t, 3), 3);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x8000);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RAX], 0xabcd0ff0);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RDI], 0xabcd7007);
}

/* Real mode LES, LSS and LDS load a segment and a register */
static void x86_test_real_load_far(struct kunit *test)
{
	static const u8 code[] = {
		0xc4, 0x1e, 0x00, 0x05,		/* les bx, [0x500] */
		0x0f, 0xb2, 0x26, 0x04, 0x05,	/* lss sp, [0x504] */
		0xc5, 0x36, 0x00, 0x05,		/* lds si, [0x500] */
		0xc5, 0xf0,			/* (VEX outside 64-bit mode) */
	};
	static const u8 ptrs[] = { 0x34, 0x12, 0x78, 0x06, 0x00, 0x90, 0x00, 0x07 };
	struct x86_test *t = real_setup(test, code, sizeof(code));

	memcpy(t->ram + 0x500, ptrs, sizeof(ptrs));
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RBX], 0x1234);
	KUNIT_EXPECT_EQ(test, t->cpu.seg[MSHV_SIM_X86_ES].selector, 0x678);
	KUNIT_EXPECT_EQ(test, t->cpu.seg[MSHV_SIM_X86_ES].base, 0x6780);
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSP], 0x9000);
	KUNIT_EXPECT_EQ(test, t->cpu.seg[MSHV_SIM_X86_SS].base, 0x7000);
	KUNIT_EXPECT_TRUE(test, t->cpu.interrupt_shadow);
	KUNIT_EXPECT_EQ(test, run(t, 1), 1);
	KUNIT_EXPECT_EQ(test, t->cpu.gpr[MSHV_SIM_X86_RSI], 0x1234);
	KUNIT_EXPECT_EQ(test, t->cpu.seg[MSHV_SIM_X86_DS].base, 0x6780);
	KUNIT_EXPECT_EQ(test, run(t, 1), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_UNSUPPORTED);
}

/* The shared page walker as guest code meets it: reserved bits. */
static void x86_test_walk_reserved(struct kunit *test)
{
	/* mov rax, [0x200000] */
	static const u8 code[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x20,
				   0x00 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->ram[0x3009] = 0x20;		/* 2 MiB page with bit 13 set */
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_PF);
	KUNIT_EXPECT_EQ(test, t->exit.exception.error_code,
			MSHV_SIM_X86_PFERR_P | MSHV_SIM_X86_PFERR_RSVD);
	KUNIT_EXPECT_EQ(test, t->exit.exception.cr2, 0x200000);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4000);
}

/* 5-level paging: a PML5 at 0x6000 above the PML4. */
static void x86_test_walk_la57(struct kunit *test)
{
	static const u8 code[] = { 0x90, 0xf4 };	/* nop; hlt */
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->ram[0x6000] = 0x03;
	t->ram[0x6001] = 0x10;		/* PML5[0] -> PML4 at 0x1000 */
	t->cpu.cr3 = 0x6000;
	t->cpu.cr4 |= MSHV_SIM_X86_CR4_LA57;
	KUNIT_EXPECT_EQ(test, run(t, 10), 2);	/* two instructions */
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);
	KUNIT_EXPECT_EQ(test, t->cpu.rip, 0x4002);

	/* Without the PML5 entry nothing is present. */
	t->ram[0x6000] = 0;
	t->cpu.rip = 0x4000;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_PF);
	KUNIT_EXPECT_EQ(test, t->exit.exception.error_code, 0);
	KUNIT_EXPECT_EQ(test, t->exit.exception.cr2, 0x4000);
}

/* SMEP: CPL 0 cannot fetch from a user page. */
static void x86_test_walk_smep(struct kunit *test)
{
	static const u8 code[] = { 0x90, 0xf4 };
	struct x86_test *t = long_setup(test, code, sizeof(code));

	t->ram[0x1000] |= 0x04;		/* PML4, PDPT and PD entry: user */
	t->ram[0x2000] |= 0x04;
	t->ram[0x3000] |= 0x04;
	KUNIT_EXPECT_EQ(test, run(t, 10), 2);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_HLT);

	t->cpu.rip = 0x4000;
	t->cpu.cr4 |= MSHV_SIM_X86_CR4_SMEP;
	KUNIT_EXPECT_EQ(test, run(t, 10), 0);
	KUNIT_EXPECT_EQ(test, t->exit.reason, MSHV_SIM_X86_EXIT_EXCEPTION);
	KUNIT_EXPECT_EQ(test, t->exit.exception.vector, MSHV_SIM_X86_PF);
	KUNIT_EXPECT_EQ(test, t->exit.exception.error_code,
			MSHV_SIM_X86_PFERR_P | MSHV_SIM_X86_PFERR_I);
	KUNIT_EXPECT_EQ(test, t->exit.exception.cr2, 0x4000);
}

static struct kunit_case x86_test_cases[] = {
	KUNIT_CASE_PARAM(x86_test_decode, decode_gen_params),
	KUNIT_CASE(x86_test_decode_fields),
	KUNIT_CASE_PARAM(x86_test_flags, flags_gen_params),
	KUNIT_CASE(x86_test_real_serial),
	KUNIT_CASE(x86_test_real_int_iret),
	KUNIT_CASE(x86_test_long_mmio),
	KUNIT_CASE(x86_test_long_cpuid_msr),
	KUNIT_CASE(x86_test_divide_error),
	KUNIT_CASE(x86_test_unsupported),
	KUNIT_CASE(x86_test_gp_cpl3),
	KUNIT_CASE(x86_test_page_fault),
	KUNIT_CASE(x86_test_rep_movsb_gpa),
	KUNIT_CASE(x86_test_rep_outsb),
	KUNIT_CASE(x86_test_sti_shadow_budget),
	KUNIT_CASE(x86_test_long_int_iretq),
	KUNIT_CASE(x86_test_rep_insb),
	KUNIT_CASE(x86_test_lock_ud),
	KUNIT_CASE(x86_test_fetch_across_pages),
	KUNIT_CASE(x86_test_shld_shrd),
	KUNIT_CASE(x86_test_bsf_bsr),
	KUNIT_CASE(x86_test_cmpxchg8b),
	KUNIT_CASE(x86_test_rdtsc),
	KUNIT_CASE(x86_test_real_pusha_popa),
	KUNIT_CASE(x86_test_real_load_far),
	KUNIT_CASE(x86_test_walk_reserved),
	KUNIT_CASE(x86_test_walk_la57),
	KUNIT_CASE(x86_test_walk_smep),
	{}
};

static struct kunit_suite x86_test_suite = {
	.name = "mshv_sim_x86",
	.init = x86_test_init,
	.test_cases = x86_test_cases,
};

kunit_test_suite(x86_test_suite);

MODULE_DESCRIPTION("KUnit tests of the mshv_sim x86 interpreter");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
