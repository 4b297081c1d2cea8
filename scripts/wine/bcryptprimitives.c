/*
 * codchi Wine test bed: a stand-in for bcryptprimitives.dll, which Wine 8.0 does not ship.
 * deno.exe (Rust std >= 1.78) imports ProcessPrng from it; we answer with advapi32's
 * RtlGenRandom (SystemFunction036), fed in chunks that fit its ULONG length.
 */
#include <windows.h>
#include <ntsecapi.h>

#define CHUNK_MAX 0x10000000UL

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE out, SIZE_T size) {
  for (SIZE_T done = 0; done < size;) {
    SIZE_T left = size - done;
    ULONG n = left > CHUNK_MAX ? CHUNK_MAX : (ULONG)left;
    if (!RtlGenRandom(out + done, n)) return FALSE;
    done += n;
  }
  return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance;
  (void)reason;
  (void)reserved;
  return TRUE;
}
