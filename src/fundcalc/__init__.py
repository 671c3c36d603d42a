"""fundcalc: who pays what, to the cent, in the joint fund for specialist shelter.

The 35 *centrumgemeenten* pay into one fund (*fonds opvang specifieke groepen*);
a framework agreement (*raamovereenkomst*) pays shelter providers per occupied
day and per contracted place; COSM stays in the reflection period (*bedenktijd*)
are billed to the Ministry of Justice and Security.
"""

#: The one place of the version: the package metadata reads it from here
#: (pyproject.toml, `dynamic`), and every manifest and close record writes it.
__version__ = "0.1.0"
