namespace BackupFunctions.Core.Storage;

/// <summary>Why a destination failed, as far as it can tell; what an operator has to fix differs for each.</summary>
public enum StoreFailureKind
{
    /// <summary>Nothing more specific is known.</summary>
    Other,

    /// <summary>The credentials were refused (wrong key, password or signature; unknown user).</summary>
    Authentication,

    /// <summary>The credentials are valid but lack a right (read-only key, IAM policy, file permissions, a host key that is not the pinned one).</summary>
    Permission,

    /// <summary>The destination could not be reached or the connection broke (DNS, refused, reset, timeout).</summary>
    Network,

    /// <summary>The destination asked us to slow down (HTTP 429/503 SlowDown).</summary>
    Throttled,

    /// <summary>The bucket, container, share or base folder does not exist.</summary>
    ContainerNotFound,

    /// <summary>The object does not exist.</summary>
    ObjectNotFound,

    /// <summary>No room: the configured maximum size, a quota or the disk is full.</summary>
    Full,

    /// <summary>The object is under an immutability lock (retention or legal hold) and cannot be deleted or replaced yet.</summary>
    Locked,

    /// <summary>
    /// The service may not connect to the destination's address (<see cref="Network.NetworkPolicy"/>): a link-local or
    /// metadata address, or a loopback or private one outside <c>Network__AllowedRanges</c>. Nothing was sent.
    /// </summary>
    NotAllowed,
}
