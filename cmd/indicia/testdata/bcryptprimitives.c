/*
 * A stand-in for Windows' bcryptprimitives.dll, for the Wine test (windows_test.go).
 * Go programs since Go 1.22 load bcryptprimitives.dll at start and take their random
 * numbers from its ProcessPrng; Debian 12's Wine 8 has no such DLL, so without this one
 * every Go program dies there. ProcessPrng fills the buffer from RtlGenRandom
 * (SystemFunction036 in advapi32, which Wine has) and, like Windows' own, always
 * returns TRUE.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		SystemFunction036(data, n);
		data += n;
		length -= n;
	}
	return TRUE;
}
