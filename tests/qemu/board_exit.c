/* board_exit.c - the first check of the board: text reaches the host over
 * semihosting, and main's return value becomes qemu's exit status
 * (built once per status in BOARD_EXIT_STATUS). */
#include <stdio.h>

int main(void)
{
    printf("board: hello over semihosting, exiting with %d\n", BOARD_EXIT_STATUS);
    fprintf(stderr, "board: stderr works too\n");
    return BOARD_EXIT_STATUS;
}
