using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Tests.Support;

/// <summary>One method of one HTTP function, as its <c>[HttpTrigger]</c> declares it (<see cref="ApiCoverage.HttpFunctions"/>).</summary>
public sealed record HttpFunctionRoute(string Name, string Method, string Route, AuthorizationLevel Level)
{
    public override string ToString() => $"{Method} /api/{Route} ({Name})";
}
