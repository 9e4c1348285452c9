using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace TokenProxy.Vault.Keychains;

/// <summary>
/// Windows Credential Manager: a generic credential named <c>TokenProxy vault key (store name)</c>, persisted for this
/// user on this machine (Windows protects it with DPAPI under the user's logon). Untested here (no Windows in CI):
/// written to the documented behaviour of CredWriteW, CredReadW and CredDeleteW (wincred.h).
/// </summary>
/// <param name="name">The store's name (<see cref="SystemKeychain.NameFor"/>).</param>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsCredentialKeychain(string name) : IKeychain
{
    private const int GenericCredential = 1;
    private const int PersistLocalMachine = 2;
    private const int ErrorNotFound = 1168;

    private string Target => $"TokenProxy vault key ({name})";

    public string Description => $"Windows Credential Manager, credential '{Target}'";

    public Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!CredReadW(Target, GenericCredential, 0, out var pointer))
        {
            return Marshal.GetLastPInvokeError() == ErrorNotFound ? Task.FromResult<string?>(null) : throw Unavailable("CredRead");
        }

        try
        {
            var credential = Marshal.PtrToStructure<Credential>(pointer);
            var blob = new byte[credential.CredentialBlobSize];
            Marshal.Copy(credential.CredentialBlob, blob, 0, blob.Length);
            return Task.FromResult<string?>(Encoding.UTF8.GetString(blob));
        }
        finally
        {
            CredFree(pointer);
        }
    }

    public Task WriteAsync(string secret, CancellationToken cancellationToken)
    {
        var blob = Encoding.UTF8.GetBytes(secret);
        var memory = Marshal.AllocHGlobal(blob.Length);
        try
        {
            Marshal.Copy(blob, 0, memory, blob.Length);
            var credential = new Credential
            {
                Type = GenericCredential,
                TargetName = Target,
                CredentialBlobSize = blob.Length,
                CredentialBlob = memory,
                Persist = PersistLocalMachine,
                UserName = "tokenproxy",
            };
            return CredWriteW(ref credential, 0) ? Task.CompletedTask : throw Unavailable("CredWrite");
        }
        finally
        {
            Marshal.Copy(new byte[blob.Length], 0, memory, blob.Length);
            Marshal.FreeHGlobal(memory);
            Array.Clear(blob);
        }
    }

    public Task<bool> DeleteAsync(CancellationToken cancellationToken) =>
        CredDeleteW(Target, GenericCredential, 0) ? Task.FromResult(true)
        : Marshal.GetLastPInvokeError() == ErrorNotFound ? Task.FromResult(false)
        : throw Unavailable("CredDelete");

    private static KeychainUnavailableException Unavailable(string call) =>
        new($"The keychain cannot be used: {call} failed (Windows error {Marshal.GetLastPInvokeError()}). " +
            "Credential Manager needs a user profile that is loaded (a service account may have none); or use the key file: TokenProxy:Vault:KeySource=file.");

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern bool CredReadW(string target, int type, int flags, out IntPtr credential);

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern bool CredWriteW(ref Credential credential, int flags);

    [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern bool CredDeleteW(string target, int type, int flags);

    [DllImport("advapi32.dll")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    private static extern void CredFree(IntPtr buffer);

    /// <summary>CREDENTIALW (wincred.h).</summary>
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    private struct Credential
    {
        public int Flags;
        public int Type;
        public string TargetName;
        public string? Comment;
        public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
        public int CredentialBlobSize;
        public IntPtr CredentialBlob;
        public int Persist;
        public int AttributeCount;
        public IntPtr Attributes;
        public string? TargetAlias;
        public string? UserName;
    }
}
