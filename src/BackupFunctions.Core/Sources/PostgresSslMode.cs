namespace BackupFunctions.Core.Sources;

/// <summary>
/// How a connection to PostgreSQL uses TLS (<c>database.sslMode</c>; the words are libpq's, see
/// <see cref="PostgresSslModes"/>). The default is the strict one: a database usually sits across a network the
/// service does not own, and its password and every row of the dump travel over it.
/// </summary>
public enum PostgresSslMode
{
    /// <summary>TLS, with a certificate issued by a trusted root for the host name the config gives.</summary>
    VerifyFull = 0,

    /// <summary>TLS, certificate not checked: encrypted, but a machine in the middle is not detected.</summary>
    Require,

    /// <summary>No TLS.</summary>
    Disable,
}
