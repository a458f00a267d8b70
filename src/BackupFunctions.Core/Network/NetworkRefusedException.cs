namespace BackupFunctions.Core.Network;

/// <summary>A connection the <see cref="NetworkPolicy"/> does not allow; the message says which host and why.</summary>
public sealed class NetworkRefusedException(string message) : Exception(message);
