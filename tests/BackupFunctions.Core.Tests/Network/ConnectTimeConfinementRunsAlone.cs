namespace BackupFunctions.Core.Tests.Network;

/// <summary>
/// Runs <see cref="ConnectTimeConfinementTests"/> alone: run beside the FTP and SFTP suites it made their vsftpd
/// folders vanish in two of four runs here (cause not found; see the network helper's report).
/// </summary>
[CollectionDefinition(nameof(ConnectTimeConfinementTests), DisableParallelization = true)]
public sealed class ConnectTimeConfinementRunsAlone;
