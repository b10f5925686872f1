/* Test-only: holds a file open without sharing it, as Excel holds an open
 * workbook, so that tools/windows-smoke.sh can try renkei.exe on an output
 * that cannot be replaced. Wine enforces Windows sharing rules between its
 * processes, so this is the same refusal staff meet.
 *
 *   holdopen.exe FILE   prints "held" once FILE is open, then keeps it
 *                       open until a line (or the end) arrives on stdin. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        fputs("usage: holdopen FILE\n", stderr);
        return 2;
    }
    HANDLE h = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "cannot open: error %lu\n", GetLastError());
        return 1;
    }
    puts("held");
    fflush(stdout);
    getchar();
    CloseHandle(h);
    return 0;
}
