// The contract the restore orchestration and backupctl are written against; the bodies come with branch i13-engine.
#pragma warning disable CS9113
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The steps of a restore into live targets, shared by the restore orchestration (one activity per step) and
/// <c>backupctl restore --in-place</c>: <see cref="ProveAsync"/> → <see cref="StageFilesAsync"/> →
/// <see cref="SwapFiles"/> → <see cref="RestoreDatabaseAsync"/> → <see cref="VerifyFilesAsync"/> →
/// <see cref="Complete"/>; on any failure or cancel after the swap began, <see cref="RollbackFiles"/> (and, when the
/// database had already committed, <see cref="RestoreDatabaseAsync"/> of the pre-restore backup). Every step is
/// idempotent and reads what it needs again (manifest, key); nothing here knows about the catalog or the Functions host.
/// </summary>
public sealed class InPlaceRestorer(IKeyEncryptionKey? keyEncryptionKey, PostgresToolsOptions tools, ILogger<InPlaceRestorer> logger)
{
    /// <summary>
    /// Step 1, before anything live changes: the manifest (MAC), every part needed present with its stored size, the
    /// database part proven end to end (hash, AEAD, decompression); the targets checked (a non-empty database with
    /// <see cref="InPlaceRestoreTarget.OverwriteExisting"/> false, selected tables missing from the backup, a part
    /// restored that the backup does not have). The files volume is proven by <see cref="StageFilesAsync"/>, which
    /// extracts it only into staging.
    /// </summary>
    /// <exception cref="IntegrityException">A part is missing or damaged.</exception>
    /// <exception cref="ArgumentException">The targets do not fit the backup (the message starts with the field's name).</exception>
    public Task<InPlaceRestoreProof> ProveAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Step 2: the files volume into staging beside the live components (<see cref="InPlaceFileRestore.StageAsync"/>); null when no files are restored.</summary>
    /// <param name="bytesRead">Stored bytes read so far (progress), reported every few MiB.</param>
    public Task<InPlaceRestoreCounts?> StageFilesAsync(InPlaceRestoreTarget target, IProgress<long>? bytesRead, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Step 3: the staged components swapped in (<see cref="InPlaceFileRestore.Swap"/>); nothing when no files are restored.</summary>
    public void SwapFiles(InPlaceRestoreTarget target) => throw new NotImplementedException();

    /// <summary>
    /// Step 4: the database replaced atomically by the backup's dump (all user tables, or only the selected ones) and
    /// the restored row counts compared with the manifest's. A database that does not exist is created first (a
    /// restore elsewhere). Null when no database is restored. On <see cref="PostgresToolException"/> nothing was committed.
    /// </summary>
    /// <exception cref="IntegrityException">Committed, but a table's row count differs from the manifest's.</exception>
    public Task<IReadOnlyList<TableRowCount>?> RestoreDatabaseAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Step 5 (skippable): every restored file and link checked against the index (<see cref="InPlaceFileRestore.VerifyAsync"/>).</summary>
    public Task<InPlaceRestoreCounts?> VerifyFilesAsync(InPlaceRestoreTarget target, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>Step 6: set-aside folders and staging removed (<see cref="InPlaceFileRestore.Complete"/>); from here on no rollback.</summary>
    public InPlaceRestoreCounts? Complete(InPlaceRestoreTarget target) => throw new NotImplementedException();

    /// <summary>The live components put back as before the swap (<see cref="InPlaceFileRestore.Rollback"/>); safe in any state before <see cref="Complete"/>.</summary>
    public void RollbackFiles(InPlaceRestoreTarget target) => throw new NotImplementedException();
}
