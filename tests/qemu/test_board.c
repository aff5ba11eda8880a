/*
 * test_board.c - the qemu board's own services: SysTick clock and sleep,
 * stack painting and the second stack, the port (deterministic random, no
 * sockets), and the RAM flash with its NOR semantics and power cuts.
 */
#include <string.h>

#include "board.h"
#include "board_port.h"
#include "kg_test.h"

static void test_clock_and_sleep(void)
{
    uint64_t t0 = board_port.now_ms(NULL);
    board_port.sleep_ms(NULL, 30);
    uint64_t slept = board_port.now_ms(NULL) - t0;
    KG_CHECK(slept >= 30);
    KG_CHECK(slept < 1000); /* generous: qemu on a loaded host */
}

/* Touches n bytes of its own frame. */
__attribute__((noinline)) static void use_stack(size_t n)
{
    volatile uint8_t buf[2048];
    for (size_t i = 0; i < n && i < sizeof buf; i++)
        buf[i] = (uint8_t)i;
}

static void test_stack_painting(void)
{
    board_stack_watch_begin();
    use_stack(1500);
    size_t used = board_stack_watch_end();
    KG_CHECK(used >= 1500);
    KG_CHECK(used < 2048 + 256);
}

static uint64_t other_stack[512];
static uintptr_t seen_sp;

static void on_other_stack(void *arg)
{
    volatile uint8_t buf[1024];
    buf[0] = 1;
    seen_sp = (uintptr_t)buf;
    *(int *)arg = buf[0];
}

static void test_second_stack(void)
{
    int ran = 0;
    board_stack_watch_begin();
    board_call_on_stack(on_other_stack, &ran, other_stack, sizeof other_stack);
    size_t used = board_stack_watch_end();
    KG_CHECK_EQ(ran, 1);
    KG_CHECK(seen_sp >= (uintptr_t)other_stack);
    KG_CHECK(seen_sp < (uintptr_t)other_stack + sizeof other_stack);
    KG_CHECK(used < 256); /* the 1 KB frame was not on this stack */
}

static void test_port_services(void)
{
    uint8_t a[48], b[48];
    KG_CHECK_ERR(board_port.random(NULL, a, sizeof a), KG_OK);
    KG_CHECK_ERR(board_port.random(NULL, b, sizeof b), KG_OK);
    KG_CHECK(memcmp(a, b, sizeof a) != 0);
    kg_sock_t s = 0;
    KG_CHECK_ERR(board_port.sock_connect(NULL, &s, "api.kg.qq.com", 443, 100), KG_ERR_CONNECT);
    KG_CHECK(board_port.wall_time == NULL);
    KG_CHECK(board_port.flash == &board_flash);
    board_port.log(NULL, KG_LOG_INFO, "log line from test_board");
}

static void test_flash_nor_semantics(void)
{
    const kg_flash_t *f = &board_flash;
    uint8_t buf[8];
    board_flash_erase_all();
    KG_CHECK_ERR(f->read(NULL, 0, buf, 8), KG_OK);
    KG_CHECK(buf[0] == 0xFF && buf[7] == 0xFF);
    KG_CHECK_ERR(f->program(NULL, 0, "\x0F\xF0\x00\xFF", 4), KG_OK);
    KG_CHECK_ERR(f->program(NULL, 0, "\xF3\x3F\xFF\x00", 4), KG_OK); /* ANDs: 1 -> 0 only */
    KG_CHECK_ERR(f->read(NULL, 0, buf, 4), KG_OK);
    KG_CHECK(memcmp(buf, "\x03\x30\x00\x00", 4) == 0);
    KG_CHECK_ERR(f->program(NULL, 2, "\0\0\0\0", 4), KG_ERR_ARG); /* unaligned */
    KG_CHECK_ERR(f->program(NULL, 0, "\0\0", 2), KG_ERR_ARG);     /* not a whole unit */
    KG_CHECK_ERR(f->program(NULL, BOARD_FLASH_SECTOR_SIZE * BOARD_FLASH_SECTORS, "\0\0\0\0", 4),
                 KG_ERR_ARG);
    KG_CHECK_ERR(f->erase(NULL, BOARD_FLASH_SECTORS), KG_ERR_ARG);
    KG_CHECK_ERR(f->erase(NULL, 0), KG_OK);
    KG_CHECK_ERR(f->read(NULL, 0, buf, 4), KG_OK);
    KG_CHECK(buf[0] == 0xFF && buf[3] == 0xFF);
    KG_CHECK_EQ(board_flash_programs(), 2);
    KG_CHECK_EQ(board_flash_erases(), 1);
}

static void test_flash_power_cut(void)
{
    const kg_flash_t *f = &board_flash;
    uint8_t buf[8];
    board_flash_erase_all();
    board_flash_cut_at(2, 3); /* the second operation keeps 3 bytes */
    KG_CHECK_ERR(f->program(NULL, 0, "\x11\x11\x11\x11", 4), KG_OK);
    KG_CHECK_ERR(f->program(NULL, 4, "\x22\x22\x22\x22", 4), KG_ERR_FLASH);
    KG_CHECK(board_flash_power_lost());
    KG_CHECK_ERR(f->read(NULL, 0, buf, 8), KG_ERR_FLASH); /* no power, nothing works */
    board_flash_power_on();
    KG_CHECK_ERR(f->read(NULL, 0, buf, 8), KG_OK);
    KG_CHECK(memcmp(buf, "\x11\x11\x11\x11\x22\x22\x22\xFF", 8) == 0);
    KG_CHECK_ERR(f->program(NULL, 8, "\x33\x33\x33\x33", 4), KG_OK);
    board_flash_cut_at(1, 10); /* an erase that stops after 10 bytes */
    KG_CHECK_ERR(f->erase(NULL, 0), KG_ERR_FLASH);
    board_flash_power_on();
    KG_CHECK_ERR(f->read(NULL, 0, buf, 4), KG_OK);
    KG_CHECK(buf[0] == 0xFF && buf[3] == 0xFF);
    KG_CHECK_ERR(f->read(NULL, 8, buf, 4), KG_OK);
    KG_CHECK(memcmp(buf, "\xFF\xFF\x33\x33", 4) == 0); /* erased up to byte 9 only */
}

int main(void)
{
    if (board_port_init() != KG_OK) return 2;
    KG_RUN(test_clock_and_sleep);
    KG_RUN(test_stack_painting);
    KG_RUN(test_second_stack);
    KG_RUN(test_port_services);
    KG_RUN(test_flash_nor_semantics);
    KG_RUN(test_flash_power_cut);
    return kg_test_summary();
}
