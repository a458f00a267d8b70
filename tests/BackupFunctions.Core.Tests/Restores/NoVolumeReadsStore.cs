using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>A store that fails any read of a file volume or of the dump: what a preview must never touch.</summary>
internal sealed class NoVolumeReadsStore(IBackupStore inner) : ForwardingBackupStore(inner)
{
    public List<string> Read { get; } = [];

    public override Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        Check(name);
        return base.OpenReadAsync(name, cancellationToken);
    }

    public override Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        Check(name);
        return base.OpenReadRangeAsync(name, offset, length, cancellationToken);
    }

    private void Check(string name)
    {
        Read.Add(name);
        var leaf = name[(name.LastIndexOf('/') + 1)..];
        if (leaf.StartsWith("files-", StringComparison.Ordinal) || leaf == ObjectNames.Database)
            throw new InvalidOperationException($"a preview read {name}");
    }
}
