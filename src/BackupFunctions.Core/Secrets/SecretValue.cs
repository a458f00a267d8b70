namespace BackupFunctions.Core.Secrets;

/// <summary>
/// A secret as the API receives it: either the value itself (sealed before it is stored) or the name of an app
/// setting under <c>BackupSecrets</c> that holds it (in Azure, an app setting that is a Key Vault reference). Never
/// returned by the API.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(SecretValueJsonConverter))]
public sealed record SecretValue
{
    /// <summary>The secret itself.</summary>
    public string? Value { get; init; }

    /// <summary>The name of the app setting that holds the secret: <c>BackupSecrets__NAME</c> (see <see cref="SecretReferences"/>).</summary>
    public string? Setting { get; init; }

    public override string ToString() => Setting is null ? "SecretValue { (value hidden) }" : $"SecretValue {{ Setting = {Setting} }}";
}
