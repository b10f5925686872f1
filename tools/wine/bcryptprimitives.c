/* Test-only stand-in for bcryptprimitives.dll, which Wine 8 lacks.
 *
 * Rust's standard library (1.78 and later) asks ProcessPrng for random bytes
 * (hash-map seeds, temporary file names). Windows 10 and 11 have it; Wine 8
 * does not, so renkei.exe would not start there. This DLL answers through
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 *
 * tools/windows-smoke.sh builds it beside the unpacked exe. It is never part of
 * the zip staff receive. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
