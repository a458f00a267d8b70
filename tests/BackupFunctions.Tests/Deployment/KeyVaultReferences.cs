namespace BackupFunctions.Tests.Deployment;

/// <summary>
/// What App Service does with an app setting that is a Key Vault reference
/// (<c>@Microsoft.KeyVault(SecretUri=https://{vault}.vault.azure.net/secrets/{name}[/{version}])</c> or
/// <c>@Microsoft.KeyVault(VaultName={vault};SecretName={name}[;SecretVersion=…])</c>): it reads the secret with the
/// app's identity and hands the app the secret's value. Here the secret must be one the deployment creates, and the
/// app's identity must hold the getSecret data action on it; otherwise Azure would hand the app the reference text
/// itself, so the test fails instead.
/// </summary>
internal static class KeyVaultReferences
{
    private const string Prefix = "@Microsoft.KeyVault(";
    private const string GetSecret = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

    public static bool IsReference(string value) => value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The value the app sees for this setting.</summary>
    public static string Resolve(BicepDeployment deployment, string setting, string value, string appPrincipalId)
    {
        if (!IsReference(value))
            return value;
        if (!value.EndsWith(')'))
            throw new UnresolvedExpressionException($"{setting}: '{value}' is not a well-formed Key Vault reference.");

        var parts = value[Prefix.Length..^1].Split(';')
            .Select(part => part.Split('=', 2))
            .ToDictionary(pair => pair[0].Trim(), pair => pair.Length == 2 ? pair[1].Trim() : "", StringComparer.OrdinalIgnoreCase);
        string vault, secret;
        if (parts.TryGetValue("SecretUri", out var secretUri))
        {
            if (!Uri.TryCreate(secretUri, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps
                || !uri.Host.EndsWith(".vault.azure.net", StringComparison.OrdinalIgnoreCase))
                throw new UnresolvedExpressionException($"{setting}: SecretUri '{secretUri}' is not a Key Vault secret URI.");
            var path = uri.AbsolutePath.Trim('/').Split('/');
            if (path.Length is < 2 or > 3 || path[0] != "secrets")
                throw new UnresolvedExpressionException($"{setting}: SecretUri '{secretUri}' is not a Key Vault secret URI.");
            vault = uri.Host[..uri.Host.IndexOf('.', StringComparison.Ordinal)];
            secret = path[1];
        }
        else if (parts.TryGetValue("VaultName", out var vaultName) && parts.TryGetValue("SecretName", out var secretName))
            (vault, secret) = (vaultName, secretName);
        else
            throw new UnresolvedExpressionException($"{setting}: '{value}' names no secret.");

        var secretId = $"{BicepDeployment.ResourceGroupId}/providers/Microsoft.KeyVault/vaults/{vault}/secrets/{secret}";
        if (!BuiltInRoles.Grants(deployment.DataActionsOn(secretId, appPrincipalId), GetSecret))
            throw new UnresolvedExpressionException(
                $"{setting} references secret {vault}/{secret}, but the app's identity has no role granting {GetSecret} on it: "
                + "Azure would give the app the reference text instead of the secret.");
        return deployment.SecretValue(vault, secret);
    }
}
